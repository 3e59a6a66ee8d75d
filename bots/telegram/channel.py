"""The Telegram adapter as the web app sees it: a router to mount, and start/stop for its lifespan.

Telegram being unreachable at start must not stop the hotline or the console: start logs
the problem and carries on; webhook mode initializes on the first update, polling mode keeps
trying in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import cached_property
from typing import Literal

from fastapi import APIRouter
from telegram import BotCommand
from telegram.ext import Application, BaseRateLimiter

from bots.telegram.application import build_application
from bots.telegram.polling import ALLOWED_UPDATES, start_polling, stop_polling
from bots.telegram.webhook import webhook_router
from dialogues.protocols import ConversationEngine

log = logging.getLogger(__name__)

# The bot's menu. Commands are sent to the engine as text like anything typed.
COMMANDS = {
    "fr": [("start", "Commencer"), ("aide", "Demander de l'aide"), ("help", "Aide")],
    "en": [("start", "Start"), ("aide", "Ask for help"), ("help", "Help")],
}


class TelegramChannel:
    """Telegram for `coupdemain serve`: webhook (the default) or polling (development)."""

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        engine: ConversationEngine,
        mode: Literal["webhook", "polling"] = "webhook",
        secret: str | None = None,
        webhook_url: str | None = None,
        rate_limiter: BaseRateLimiter | None = None,
        retry_seconds: float = 30.0,
    ) -> None:
        """
        Args:
            webhook_url: registered with setWebhook (with `secret`) at start; None leaves the
                registration to whoever deploys (Telegram accepts only public HTTPS URLs).
            rate_limiter: see `build_application`.
            retry_seconds: in polling mode, the pause between attempts to reach Telegram.
        """
        self.mode = mode
        self.application: Application = build_application(
            token, base_url, engine=engine, polling=mode == "polling", rate_limiter=rate_limiter
        )
        self._secret = secret
        self._webhook_url = webhook_url
        self._retry_seconds = retry_seconds
        self._poller: asyncio.Task[None] | None = None

    @cached_property
    def router(self) -> APIRouter:
        """`POST /telegram/webhook`: mount it in webhook mode."""
        return webhook_router(self.application, secret=self._secret)

    async def start(self) -> None:
        if self.mode == "polling":
            self._poller = asyncio.create_task(self._keep_trying_to_poll(), name="telegram-poll")
            return
        try:
            await self.application.initialize()
            await self._announce()
            if self._webhook_url:
                await self.application.bot.set_webhook(
                    self._webhook_url,
                    secret_token=self._secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
                log.info("Telegram: webhook registered")
        except Exception as exc:
            log.error("Telegram unreachable at start (will retry on the first update): %s", exc)

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self.mode == "polling":
            await stop_polling(self.application)
        else:
            await self.application.shutdown()

    async def _keep_trying_to_poll(self) -> None:
        while True:
            try:
                await start_polling(self.application)
                await self._announce()
                return
            except Exception as exc:
                log.error(
                    "Telegram polling not started (retry in %.0f s): %s", self._retry_seconds, exc
                )
                await asyncio.sleep(self._retry_seconds)

    async def _announce(self) -> None:
        """The command menu, per language; a failure here is cosmetic."""
        try:
            for language, commands in COMMANDS.items():
                await self.application.bot.set_my_commands(
                    [BotCommand(name, description) for name, description in commands],
                    language_code=None if language == "fr" else language,
                )
        except Exception as exc:
            log.warning("Telegram command menu not set: %s", exc)
