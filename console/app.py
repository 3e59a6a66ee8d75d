"""The console mounted on the main app: its pages under /console, its static files, its
error pages."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from console import errors
from console.live import Nudges
from console.pages import (
    callbacks,
    conversations,
    dashboard,
    login,
    nlu_corrections,
    payments,
    people,
    requests,
)
from console.web import PREFIX

DEFAULT_REFRESH_SECONDS = 1.0
PAGES = (login, callbacks, nlu_corrections, conversations, requests, people, payments, dashboard)


def mount_console(
    app: FastAPI,
    *,
    secure_cookies: bool,
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS,
    nudges: Nudges | None = None,
    callbacks_blocked: str | None = "no_twilio",
) -> None:
    """`secure_cookies`: the public URL is HTTPS, so cookies never travel in clear.
    `nudges`: what wakes live pages before `refresh_seconds` when conversations change.
    `callbacks_blocked`: why "Rappeler" cannot ring a person ("no_twilio": no calls out,
    "no_dispatcher_phone": nobody to put them through to), None when it can."""
    app.state.console_secure_cookies = secure_cookies
    app.state.console_callbacks_blocked = callbacks_blocked
    app.state.console_refresh_seconds = refresh_seconds
    app.state.console_nudges = nudges or Nudges()
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    for page in PAGES:
        router.include_router(page.router)

    @router.get("")
    def home() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/conversations", status_code=303)

    app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        # The address people type first is the console (its login when not logged in).
        return RedirectResponse(PREFIX, status_code=303)

    app.mount(f"{PREFIX}/static", StaticFiles(packages=[("console", "static")]), name="console")
    errors.install(app)
