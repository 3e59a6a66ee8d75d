"""The outbox's Telegram sender: one outbox row -> one Telegram message (or a few, in order).

The outbox worker is a plain thread and `Sender.send` is synchronous, while PTB's Bot is
async. Its httpx.AsyncClient belongs to the event loop it first ran in, and the rate limiter's
buckets must outlive one call (a chat's 1 message/s is about the calls that follow). So the
sender owns one event loop in a thread of its own with one long-lived Bot, and each `send`
hands a coroutine to that loop and waits for its result. (`asyncio.run` per call would need a
new Bot per call: a getMe, a new connection and an empty rate limiter every time.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from telegram import Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import HTTPXRequest

from backend.outbox.models import OutboxMessage
from backend.outbox.service import PermanentSendError, TransientSendError
from bots.telegram.application import file_url_for
from bots.telegram.ratelimit import ChatRateLimiter, retry_after_seconds
from bots.telegram.redact import protect_token
from bots.telegram.render import Rendered, merge_statements, render, send
from dialogues.protocols import NotificationRenderer

log = logging.getLogger(__name__)

T = TypeVar("T")


class TelegramSender:
    """`backend.outbox.service.Sender` for the channel "telegram".

    Args:
        token, base_url: as for `build_application`.
        renderer: outbox row (kind, payload, language) -> the replies to send.
        rate_limiter: defaults to 1 message/s per chat and 30/s overall, waiting before
            sending; a 429 is not waited out here but handed to the outbox to reschedule.
        timeout: the longest one `send` may take, rate-limit waits included.
    """

    channel = "telegram"

    def __init__(
        self,
        token: str,
        base_url: str,
        renderer: NotificationRenderer,
        *,
        rate_limiter: BaseRateLimiter | None = None,
        timeout: float = 60.0,
    ) -> None:
        protect_token(token)
        self._renderer = renderer
        self._timeout = timeout
        self._bot: ExtBot[Any] = ExtBot(
            token,
            base_url=base_url,
            base_file_url=file_url_for(base_url),
            request=HTTPXRequest(connection_pool_size=8),  # PTB's default is 1 connection
            rate_limiter=rate_limiter or ChatRateLimiter(),
        )
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def send(self, message: OutboxMessage) -> str:
        """Deliver one outbox row; the Telegram message_id of its last message."""
        chat_id = _chat_id(message.address)
        payload = message.payload or {}
        language = str(payload.get("language") or "fr")
        replies = merge_statements(self._renderer(message.kind, payload, language))
        if not replies:
            raise PermanentSendError(f"nothing to send for a {message.kind!r} message")
        # clear_reply_keyboard=False: a notification must not disturb a conversation.
        rendered = render(replies, language, clear_reply_keyboard=False)
        try:
            sent = self._run(self._send(chat_id, rendered))
        except RetryAfter as exc:
            delay = retry_after_seconds(exc)
            raise TransientSendError(f"Telegram flood control: wait {delay:g} s", delay) from exc
        except (Forbidden, ChatMigrated, BadRequest) as exc:
            # Blocked bot, deleted account, chat not found, a chat turned supergroup:
            # sending again cannot help; the outbox marks it failed for a dispatcher.
            raise PermanentSendError(f"Telegram refused: {exc}") from exc
        except InvalidToken as exc:
            # Our configuration, not this message: keep it for when the token is fixed.
            log.error("Telegram rejects the bot token; messages wait")
            raise TransientSendError(f"Telegram rejects the bot token: {exc}") from exc
        except TelegramError as exc:  # network errors and timeouts
            raise TransientSendError(f"Telegram unreachable: {exc}") from exc
        except concurrent.futures.TimeoutError as exc:
            raise TransientSendError(f"sending took over {self._timeout:g} s") from exc
        return str(sent[-1].message_id)

    def close(self) -> None:
        """Release the HTTP connections and stop the loop's thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._bot.shutdown(), loop).result(10)
        except Exception:  # closing: nothing left to save
            log.debug("Telegram sender: shutdown failed", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()

    async def _send(self, chat_id: int, rendered: Sequence[Rendered]) -> list[Message]:
        await self._bot.initialize()  # once: later calls return at once
        return await send(self._bot, chat_id, rendered)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._ensure_loop())
        try:
            return future.result(self._timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="telegram-sender", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop


def _chat_id(address: str) -> int:
    # Strict: int() would also take "+33612345678", a phone number meant for SMS.
    if not re.fullmatch(r"-?\d{1,20}", address or ""):
        raise PermanentSendError(f"not a Telegram chat id: {address!r}")
    return int(address)
