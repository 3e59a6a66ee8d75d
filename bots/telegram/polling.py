"""Polling mode (development, or no public HTTPS address): PTB's Updater long-polls getUpdates.

Runs inside the web app's event loop, started and stopped by its lifespan, instead of PTB's
`run_polling`, which wants to own the loop and the process's signals.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application

log = logging.getLogger(__name__)

# What a conversation needs; edits, reactions and membership changes are not turns.
ALLOWED_UPDATES = ["message", "callback_query"]


async def start_polling(application: Application, *, poll_timeout: float = 10.0) -> None:
    """Initialize, start fetching updates, and start processing them (in arrival order).

    `start_polling` deletes any webhook first: Telegram refuses getUpdates while one is set.
    Raises whatever Telegram or the network raised; the caller decides when to try again.
    """
    updater = application.updater
    if updater is None:
        raise ValueError("this Application was built for webhooks: build it with polling=True")
    await application.initialize()
    await updater.start_polling(
        poll_interval=0.0,
        timeout=timedelta(seconds=poll_timeout),
        allowed_updates=ALLOWED_UPDATES,
    )
    await application.start()
    log.info("Telegram: polling for updates")


async def stop_polling(application: Application) -> None:
    """Stop fetching, finish the updates in hand, and release the HTTP connections."""
    updater = application.updater
    if updater is not None and updater.running:
        await updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
