"""Refusals on console pages read as pages, not JSON: login first, not allowed, or the
domain's own reason as a message on the page the dispatcher came from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from backend.errors import DomainError
from console.i18n import Translator
from console.session import CsrfRefused, LoginRequired, RoleRefused
from console.web import PREFIX, redirect, render, translator

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]
ConsoleHandler = Callable[[Request, Exception], Response]


def _is_console(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(f"{PREFIX}/")


def back_to(request: Request) -> str:
    """The page a form was posted from, if it is one of ours; else the console's home."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path.startswith(f"{PREFIX}/") and referer.netloc in ("", request.url.netloc):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return f"{PREFIX}/conversations"


def _refusal(request: Request, status: int, title_key: str, message: str) -> Response:
    """A GET answered with an error page; a form sent back to its page with the reason."""
    t = translator(request)
    if request.method == "GET":
        return render(
            request, "error.html", status_code=status, title=t(title_key), message=message
        )
    return redirect(back_to(request), flash=("error", message))


def _console_only(app: FastAPI, kind: type[Exception], console: ConsoleHandler) -> None:
    """`console` answers `kind` on console pages; the API keeps its own JSON answer."""
    api: Handler | None = app.exception_handlers.get(kind)  # type: ignore[assignment]

    async def handler(request: Request, exc: Exception) -> Response:
        if _is_console(request):
            return console(request, exc)
        if api is None:
            raise exc
        result = api(request, exc)
        return await result if isinstance(result, Awaitable) else result

    app.add_exception_handler(kind, handler)


def refusal_reason(t: Translator, refused: DomainError) -> str:
    """Why the domain refused, in the dispatcher's words when the catalogue knows its reason
    (`refusals.<details["reason"]>`), else the domain's own message."""
    # Nothing found has no reason of its own, and the domain says what was missing in English.
    key = f"refusals.{refused.details.get('reason', refused.code)}"
    return t(key) if t.has(key) else refused.message


def refusal_text(t: Translator, refused: DomainError) -> str:
    """The reason after the word for its kind: 'Impossible pour l'instant : ...'."""
    key = f"errors.{refused.code}"
    return f"{t(key) if t.has(key) else t('errors.refused')} {refusal_reason(t, refused)}"


def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    reason = refusal_text(translator(request), exc)
    return _refusal(request, exc.status_code, "errors.refused", reason)


def _invalid_form(request: Request, exc: Exception) -> Response:
    """A field our forms never send that way (too long, not a number): said on the page."""
    assert isinstance(exc, RequestValidationError)
    fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
    reason = translator(request)("errors.invalid_form", fields=fields)
    return _refusal(request, 422, "errors.refused", reason)


def install(app: FastAPI) -> None:
    async def login_required(request: Request, _exc: Exception) -> Response:
        if request.method == "GET" and request.url.path != f"{PREFIX}/login":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return redirect(f"{PREFIX}/login?next={quote(target, safe='')}")
        t = translator(request)
        return render(
            request,
            "error.html",
            status_code=401,
            title=t("errors.login_title"),
            message=t("errors.login_required"),
        )

    async def forbidden(request: Request, exc: Exception) -> Response:
        t = translator(request)
        message = t("errors.csrf") if isinstance(exc, CsrfRefused) else t("errors.forbidden_role")
        return render(
            request,
            "error.html",
            status_code=403,
            title=t("errors.forbidden_title"),
            message=message,
        )

    _console_only(app, DomainError, _domain_error)
    _console_only(app, RequestValidationError, _invalid_form)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(RoleRefused, forbidden)
    app.add_exception_handler(CsrfRefused, forbidden)
