"""Live updates as Server-Sent Events: a fragment of a page, sent again whenever it changes.

Each open page looks at the database when nudged (a commit touched conversations, in this
process or, through Redis, in another instance) and at the latest every `refresh` seconds, and
sends its fragment only when it differs from the last one sent. The database stays the source
of truth: a lost nudge only delays an update until the next look. A comment line keeps proxies
from closing an idle stream; a session that ends (logout, expiry, suspension) closes it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from console.session import SESSION_COOKIE, resolve_console

KEEPALIVE_SECONDS = 15.0

Render = Callable[[Session], str]
Version = Callable[[Session], object]


class Nudges:
    """Wakes the open streams early. `nudge` may be called from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def nudge(self) -> None:
        with self._lock:
            waiting = list(self._waiting)
        for loop, event in waiting:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float) -> None:
        """Until the next nudge, or `timeout` seconds."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiting.add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiting.discard(entry)


def sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


def stream(request: Request, render: Render, version: Version | None = None) -> StreamingResponse:
    """`version`, when given, is a cheap reading that changes whenever the fragment would:
    while it stays the same, the fragment is not rendered again."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    refresh: float = request.app.state.console_refresh_seconds
    nudges: Nudges = request.app.state.console_nudges
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
            started = asyncio.get_running_loop().time()
            await nudges.wait(refresh)
            quiet += asyncio.get_running_loop().time() - started

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
