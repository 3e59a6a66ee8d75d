"""`POST /telegram/webhook`: PTB's custom-webhook pattern inside the FastAPI app.

Telegram posts each update as JSON. We check that it comes from Telegram (the secret token
given to setWebhook comes back in a header), refuse what cannot be an update with a clear
JSON error (an update nested too deep to be one is refused before it is parsed; ids that
are not integers are refused after), and process the update before answering, so that a
failure answers 500 and Telegram delivers the update again rather than it being lost in an
in-memory queue.
"""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from telegram import Update
from telegram.ext import Application

from backend.body_guard import too_deep as nested_too_deep
from bots.telegram.application import process
from bots.telegram.updates import malformed

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1_000_000  # an update is a few kilobytes; anything near this is not one


def webhook_router(
    application: Application, *, secret: str | None, max_body_bytes: int = MAX_BODY_BYTES
) -> APIRouter:
    """The route that feeds Telegram's updates to `application`.

    Args:
        application: built by `build_application` (webhook mode). It is initialized on the
            first update if the app's start could not reach Telegram.
        secret: the `secret_token` given to setWebhook. None accepts every request: only for
            development (the settings refuse it in production).
        max_body_bytes: larger bodies get 413 without being read further.
    """
    if secret is None:
        log.warning("Telegram webhook without a secret token: anyone can post updates")
    router = APIRouter(tags=["telegram"])

    @router.post(PATH, summary="Telegram Bot API webhook")
    async def telegram_webhook(request: Request) -> JSONResponse:
        if secret is not None and not _same_secret(request.headers.get(SECRET_HEADER), secret):
            return _error(403, "forbidden", f"missing or wrong {SECRET_HEADER} header")
        body = await _read_body(request, max_body_bytes)
        if body is None:
            return _error(413, "too_large", f"an update is at most {max_body_bytes} bytes")
        too_deep = nested_too_deep(body)
        if too_deep is not None:
            return _error(422, "too_deep", too_deep)
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _error(400, "malformed_json", f"the body is not JSON: {exc}")
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return _error(400, "not_an_update", "expected a Telegram Update: {update_id, ...}")
        try:
            await application.initialize()  # no-op once done
        except Exception:
            log.exception("Telegram unreachable: update %s refused for now", data["update_id"])
            return _error(503, "telegram_unavailable", "cannot reach Telegram yet; retry later")
        try:
            update = Update.de_json(data, application.bot)
        except Exception as exc:  # the right keys with the wrong shapes
            return _error(400, "not_an_update", f"not a valid Telegram Update: {exc}")
        problem = malformed(update)
        if problem is not None:
            return _error(400, "not_an_update", f"not a valid Telegram Update: {problem}")
        if await process(application, update):
            return _error(500, "processing_failed", "the update was not processed; send it again")
        return JSONResponse({"ok": True})

    return router


def _same_secret(given: str | None, expected: str) -> bool:
    # Constant time, on bytes: compare_digest refuses non-ASCII str, and a header may be any.
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None past `limit` bytes: Content-Length is checked first, then the bytes
    actually streamed (a chunked body has no length, and a length can lie)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, code: str, message: str) -> JSONResponse:
    """The REST API's error shape, so that every client reads one kind of error."""
    return JSONResponse(status_code=status, content={"error": code, "message": message})
