"""Staying within Telegram's flood limits: ~1 message/s per chat, 20/min per group, ~30/s overall.

PTB's own `AIORateLimiter` limits groups and the whole bot but not a private chat, which is
where all our messages go; so this is a small `BaseRateLimiter` of our own, with no extra
dependency. It throttles before sending (waiting is cheap, a 429 costs a retry) and lives in
one event loop: the webhook's Application and the outbox sender each have their own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class TokenBucket:
    """`rate` sends per second with bursts of `burst`; `reserve` books a slot and says how
    long to wait for it. Tokens may go negative: each caller queues behind the previous."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, now

    def reserve(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def idle(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


class ChatRateLimiter(BaseRateLimiter[int]):
    """Throttles message-sending calls per chat and overall.

    Args:
        per_chat_rate: messages per second to one private chat.
        per_chat_burst: messages that may go at once to a chat (a turn's two or three
            replies), before the rate applies.
        group_rate: messages per second to one group (Telegram: 20 per minute).
        overall_rate: messages per second for the whole bot.
        retry_after_max: a 429 asking to wait at most this long is waited out and the call
            made again once; a longer one is raised for the caller to reschedule.
    """

    def __init__(
        self,
        *,
        per_chat_rate: float = 1.0,
        per_chat_burst: float = 1.0,
        group_rate: float = 20 / 60,
        overall_rate: float = 30.0,
        retry_after_max: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_chat = (per_chat_rate, per_chat_burst)
        self._group_rate = group_rate
        self._retry_after_max = retry_after_max
        self._clock = clock
        self._overall = TokenBucket(overall_rate, overall_rate, clock())
        self._chats: dict[str, TokenBucket] = {}

    async def initialize(self) -> None:
        """Nothing to set up: buckets are made on first use."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        chat_id = data.get("chat_id")
        if chat_id is not None and _sends_a_message(endpoint):
            await self._wait(self._chat_bucket(str(chat_id)))
            await self._wait(self._overall)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            delay = retry_after_seconds(exc)
            if delay > self._retry_after_max:
                raise
            log.info("Telegram asked to wait %.1f s before %s; waiting", delay, endpoint)
            await asyncio.sleep(delay)
            return await callback(*args, **kwargs)

    def _chat_bucket(self, chat: str) -> TokenBucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            now = self._clock()
            if len(self._chats) > 10_000:  # forget chats whose bucket has refilled
                self._chats = {k: b for k, b in self._chats.items() if not b.idle(now)}
            rate, burst = self._per_chat
            if chat.startswith("-") or chat.startswith("@"):  # groups and channels
                rate, burst = self._group_rate, 1.0
            bucket = self._chats[chat] = TokenBucket(rate, burst, now)
        return bucket

    async def _wait(self, bucket: TokenBucket) -> None:
        delay = bucket.reserve(self._clock())
        if delay > 0:
            await asyncio.sleep(delay)


def _sends_a_message(endpoint: str) -> bool:
    """Messages and edits count against the limits; typing indicators and reads do not."""
    return endpoint != "sendChatAction" and endpoint.startswith(("send", "copy", "forward", "edit"))


def retry_after_seconds(exc: RetryAfter) -> float:
    """PTB 22 gives an int or a timedelta depending on PTB_TIMEDELTA; we want seconds."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
