"""Telegram channel adapter (python-telegram-bot): webhook or polling in, replies and outbox out.

- `build_application`: the PTB Application whose every update is a turn of the engine;
- `webhook_router`: `POST /telegram/webhook` for the FastAPI app;
- `TelegramChannel`: both, with start/stop for the app's lifespan (webhook or polling);
- `TelegramSender`: the outbox's sender for the channel "telegram".
"""

from bots.telegram.application import build_application
from bots.telegram.channel import TelegramChannel
from bots.telegram.sender import TelegramSender
from bots.telegram.webhook import webhook_router

__all__ = ["TelegramChannel", "TelegramSender", "build_application", "webhook_router"]
