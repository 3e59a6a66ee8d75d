"""Live updates as Server-Sent Events: a fragment of a page, sent again whenever it changes.

Each open page renders its fragment from the database every `refresh` seconds and sends it only
when it differs from the last one sent. The database is the source of truth shared by every web
instance, so a change made through any instance (a Telegram turn, a call, another dispatcher)
reaches every open console without a message bus; a comment line keeps proxies from closing an
idle stream. A session that ends (logout, expiry, suspension) closes the stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from console.session import SESSION_COOKIE, resolve_console

KEEPALIVE_SECONDS = 15.0

Render = Callable[[Session], str]
Version = Callable[[Session], object]


def sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


def stream(request: Request, render: Render, version: Version | None = None) -> StreamingResponse:
    """`version`, when given, is a cheap reading that changes whenever the fragment would:
    while it stays the same, the fragment is not rendered again."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    refresh: float = request.app.state.console_refresh_seconds
    token = request.cookies.get(SESSION_COOKIE)

    seen: list[object] = []

    def current() -> str | None:
        """The fragment, "" when unchanged since the last one, None when the session ended."""
        with factory() as session, session.begin():
            if resolve_console(session, token) is None:
                return None
            if version is not None:
                now = version(session)
                if seen and seen[0] == now:
                    return ""
                seen[:] = [now]
            return render(session)

    async def events() -> AsyncIterator[str]:
        last: str | None = None
        quiet = 0.0
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            html = await run_in_threadpool(current)
            if html is None:
                yield sse("logout", "")
                return
            if html and html != last:
                yield sse("update", html)
                last, quiet = html, 0.0
            elif quiet >= KEEPALIVE_SECONDS:
                yield ": keepalive\n\n"
                quiet = 0.0
            await asyncio.sleep(refresh)
            quiet += refresh

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
