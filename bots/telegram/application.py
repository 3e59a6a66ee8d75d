"""The python-telegram-bot Application: one handler that turns every update into an engine turn.

Flows are not written as PTB `ConversationHandler` states (the phone line shares them): the
Application only converts, calls the engine, and renders its replies.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, BaseRateLimiter, ContextTypes, TypeHandler

from bots.telegram.ratelimit import ChatRateLimiter
from bots.telegram.redact import protect_token
from bots.telegram.render import render, send
from bots.telegram.updates import to_incoming
from dialogues.protocols import ConversationEngine

log = logging.getLogger(__name__)

# The errors raised while one update is processed. PTB hands handler errors to error
# handlers and returns normally; the webhook needs to know, to answer 500 so that Telegram
# delivers the update again (the engine answers a retry of a finished turn as a duplicate).
_failures: ContextVar[list[BaseException] | None] = ContextVar("telegram_failures", default=None)


def build_application(
    token: str,
    base_url: str,
    *,
    engine: ConversationEngine,
    polling: bool = False,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    """An Application whose every private-chat update is a turn of `engine`.

    Args:
        token: the bot token (never logged: see `redact.protect_token`).
        base_url: PTB's `base_url`, to which the token is appended
            (`https://api.telegram.org/bot`, or a fake server in tests).
        engine: the conversation engine (synchronous: run in a worker thread).
        polling: keep PTB's Updater for `getUpdates`; webhook mode has none (`updater(None)`).
        rate_limiter: defaults to per-chat bursts of 3 then 1 message/s, 30/s overall, and
            one wait-and-retry on a 429 of at most 5 s.
    """
    protect_token(token)
    builder = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(file_url_for(base_url))
        .rate_limiter(rate_limiter or ChatRateLimiter(per_chat_burst=3, retry_after_max=5.0))
        .job_queue(None)  # timers are rows in the jobs table, not in memory
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.add_handler(TypeHandler(Update, TurnHandler(engine)))
    application.add_error_handler(_on_error)
    return application


def file_url_for(base_url: str) -> str:
    """`https://api.telegram.org/bot` -> `https://api.telegram.org/file/bot`."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return base_url


async def process(application: Application, update: Update) -> list[BaseException]:
    """Run one update through the Application; return the errors its handlers raised."""
    failures: list[BaseException] = []
    reset = _failures.set(failures)
    try:
        await application.process_update(update)
    finally:
        _failures.reset(reset)
    return failures


class TurnHandler:
    """One update -> one engine turn -> the replies, rendered and sent to the chat."""

    def __init__(self, engine: ConversationEngine) -> None:
        self._engine = engine

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is not None:
            # Stop the button's spinner at once, whatever the engine then says. A retried
            # update finds the query already answered: Telegram refuses, nothing is lost.
            try:
                await query.answer()
            except BadRequest as exc:
                log.debug("callback query %s not answered: %s", query.id, exc)
        incoming = to_incoming(update)
        if incoming is None:
            return
        # The engine is synchronous (SQLAlchemy sessions): keep it off the event loop.
        result = await asyncio.to_thread(self._engine.handle, incoming)
        if result.duplicate or result.silent:
            return  # a retry was answered the first time; a dispatcher has the conversation
        if query is not None:
            await _retire_keyboard(query.message)
        await send(context.bot, incoming.address, render(result.replies, result.language))


async def _retire_keyboard(message: object) -> None:
    """Take the buttons off the message whose button was pressed: it has been answered."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except BadRequest as exc:  # too old to edit, or already without buttons
        log.debug("keyboard of message %s kept: %s", message.message_id, exc)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("Telegram update %s failed", update_id, exc_info=error)
    failures = _failures.get()
    if failures is not None and error is not None:
        failures.append(error)
