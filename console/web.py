"""Rendering console pages: one Jinja2 environment, the translator, flash messages."""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from console.formatting import (
    flag_reason,
    local_time,
    money_filter,
    percent,
    shown_memo,
    user_content,
)
from console.i18n import Translator, pick_language
from console.session import LANGUAGE_COOKIE, ConsoleSession

FLASH_COOKIE = "cdm_flash"
PREFIX = "/console"
# Pages hold personal data: never cached, never framed by another site (clickjacking), and
# their addresses (ids) not told to other sites.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("console", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = local_time  # a Paris wall-clock time: 'mar. 1 déc. 14:05'
    env.filters["money"] = money_filter  # in the language of the page drawn
    env.globals["user"] = user_content  # {{ user(name) }}: a person's own words, marked
    return env


def language_of(request: Request) -> str:
    staff: ConsoleSession | None = getattr(request.state, "console", None)
    cookie = request.cookies.get(LANGUAGE_COOKIE) or (staff.language if staff else None)
    return pick_language(
        request.query_params.get("lang"), cookie, request.headers.get("accept-language")
    )


def translator(request: Request) -> Translator:
    return Translator(language_of(request))


def render_fragment(name: str, t: Translator, **context: Any) -> str:
    return (
        environment()
        .get_template(name)
        .render(
            t=t,
            lang=t.language,
            prefix=PREFIX,
            memo=lambda text: shown_memo(text, t),
            flag_reason=lambda text: flag_reason(text, t),
            percent=lambda value: percent(value, t.language),
            **context,
        )
    )


def render(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A whole page: the layout gets the user, their CSRF token and the pending flash."""
    t = translator(request)
    staff: ConsoleSession | None = getattr(request.state, "console", None)
    flash = _read_flash(request)
    html = render_fragment(
        name,
        t,
        request=request,
        staff=staff,
        csrf=staff.csrf if staff else "",
        flash=flash,
        path=request.url.path,
        other_language_url=_other_language_url(request, t.language),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path=PREFIX)
    chosen = request.query_params.get("lang")
    if chosen == t.language:
        response.set_cookie(
            LANGUAGE_COOKIE, chosen, max_age=365 * 86400, path=PREFIX, samesite="lax"
        )
    return response


def _other_language_url(request: Request, language: str) -> str:
    """The same page in the other language, its other query parameters kept."""
    url = request.url.include_query_params(lang="en" if language == "fr" else "fr")
    return f"{url.path}?{url.query}"


def redirect(url: str, *, flash: tuple[str, str] | None = None) -> RedirectResponse:
    """After a form: 303 to a page (POST-redirect-GET), with a message to show once there."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        kind, text = flash
        payload = base64.urlsafe_b64encode(json.dumps({"kind": kind, "text": text}).encode())
        response.set_cookie(
            FLASH_COOKIE, payload.decode(), max_age=60, path=PREFIX, httponly=True, samesite="lax"
        )
    return response


def _read_flash(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("kind") not in ("ok", "error"):
        return None
    return {"kind": str(data["kind"]), "text": str(data.get("text", ""))}
