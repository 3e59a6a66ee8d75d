"""Refusals on console pages read as pages, not JSON: login first, not allowed, or the
domain's own reason as a message on the page the dispatcher came from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from backend.errors import DomainError
from console.session import CsrfRefused, LoginRequired, RoleRefused
from console.web import PREFIX, redirect, render, translator

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


def _is_console(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(f"{PREFIX}/")


def back_to(request: Request) -> str:
    """The page a form was posted from, if it is one of ours; else the console's home."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path.startswith(f"{PREFIX}/") and referer.netloc in ("", request.url.netloc):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return f"{PREFIX}/conversations"


def install(app: FastAPI) -> None:
    api_domain_handler: Handler | None = app.exception_handlers.get(DomainError)  # type: ignore[assignment]

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

    async def role_refused(request: Request, _exc: Exception) -> Response:
        t = translator(request)
        return render(
            request,
            "error.html",
            status_code=403,
            title=t("errors.forbidden_title"),
            message=t("errors.forbidden_role"),
        )

    async def csrf_refused(request: Request, _exc: Exception) -> Response:
        t = translator(request)
        return render(
            request,
            "error.html",
            status_code=403,
            title=t("errors.forbidden_title"),
            message=t("errors.csrf"),
        )

    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if not _is_console(request):
            if api_domain_handler is None:
                raise exc
            result = api_domain_handler(request, exc)
            return await result if isinstance(result, Awaitable) else result
        t = translator(request)
        key = f"errors.{exc.code}"
        reason = f"{t(key) if t.has(key) else t('errors.refused')} {exc.message}"
        if request.method == "GET":
            return render(
                request,
                "error.html",
                status_code=exc.status_code,
                title=t("errors.refused"),
                message=reason,
            )
        return redirect(back_to(request), flash=("error", reason))

    api_validation_handler: Handler | None = app.exception_handlers.get(RequestValidationError)  # type: ignore[assignment]

    async def invalid_form(request: Request, exc: Exception) -> Response:
        """A field our forms never send that way (too long, not a number): said on the page."""
        assert isinstance(exc, RequestValidationError)
        if not _is_console(request):
            if api_validation_handler is None:
                raise exc
            result = api_validation_handler(request, exc)
            return await result if isinstance(result, Awaitable) else result
        t = translator(request)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        reason = t("errors.invalid_form", fields=fields)
        if request.method == "GET":
            return render(
                request, "error.html", status_code=422, title=t("errors.refused"), message=reason
            )
        return redirect(back_to(request), flash=("error", reason))

    app.add_exception_handler(RequestValidationError, invalid_form)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(RoleRefused, role_refused)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(DomainError, domain_error)
