"""Logging in and out of the console."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.api_deps import SessionDep
from backend.auth.deps import ClientAddress, ThrottleDep
from backend.auth.service import issue_token, revoke_token
from backend.auth.throttle import Throttled, log_in
from console.session import (
    CONSOLE_ROLES,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_TTL,
    StaffAction,
    new_login_csrf,
    resolve_console,
)
from console.web import PREFIX, redirect, render, translator

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of the console itself: a login link cannot send anyone elsewhere."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith(f"{PREFIX}/"):
        return f"{PREFIX}/conversations"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _login_page(
    request: Request,
    *,
    error: str = "",
    login: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    token = new_login_csrf()
    response = render(
        request,
        "login.html",
        status_code=status,
        login_csrf=token,
        error=error,
        login=login,
        next=_safe_next(request.query_params.get("next")),
    )
    response.headers.update(headers or {})
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.app.state.console_secure_cookies,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: SessionDep) -> Response:
    if resolve_console(session, request.cookies.get(SESSION_COOKIE)):
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    throttle: ThrottleDep,
    address: ClientAddress,
    username: Annotated[str, Form(max_length=120)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    t = translator(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        return _login_page(request, error=t("login.expired_form"), login=username, status=403)
    person = log_in(session, throttle, username.strip(), password, address)
    if isinstance(person, Throttled):
        # Refused whatever the password, so the page cannot tell a right guess apart.
        words = (
            t("login.throttled_one")
            if person.minutes == 1
            else t("login.throttled", minutes=person.minutes)
        )
        return _login_page(
            request,
            error=words,
            login=username,
            status=429,
            headers={"Retry-After": str(person.seconds)},
        )
    if person is None:
        return _login_page(request, error=t("login.wrong"), login=username, status=401)
    if not person.has_role(*CONSOLE_ROLES):
        return _login_page(request, error=t("login.not_staff"), login=username, status=403)
    token, _ = issue_token(session, person, label="console", ttl=SESSION_TTL)
    response = redirect(_safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.console_secure_cookies,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
def logout(session: SessionDep, staff: StaffAction) -> Response:
    revoke_token(session, staff.token)
    response = redirect(f"{PREFIX}/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
