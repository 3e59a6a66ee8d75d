"""Whole conversations over Telegram, end to end.

The real app (`create_app`) in webhook mode runs inside a TestClient; the real
python-telegram-bot answers each update by calling the fake Bot API server over HTTP; the
real conversation engine understands French with the real local NLU model; the database is
real (SQLite and PostgreSQL, through the `engine` fixture). Messages to other people are
written to the outbox and delivered by `deliver_due` through the real `TelegramSender`, so
what each person reads is what the fake recorded for their chat.

One fake server per module (each test uses chat ids of its own); the NLU model is loaded once
per session.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow
from backend.outbox.service import DeliveryReport, Sender, deliver_due
from bots.telegram.ratelimit import ChatRateLimiter
from bots.telegram.sender import TelegramSender
from coupdemain.app import create_app
from coupdemain.configuration import dispatch_config, engine_config
from coupdemain.settings import Settings
from dialogues.engine import Engine
from dialogues.notifications import render_notification
from dialogues.wording import PARIS
from nlu.interface import IntentParser
from tests.dialogues.conftest import nlu_parser  # noqa: F401  (the real model, once a session)
from tests.fakes.telegram_api import FakeTelegram, SentMessage, TgUser, post_update

TOKEN = "123:TEST"
SECRET = "s3cret"

_chat_ids = itertools.count(700_001)


def new_user(first_name: str = "Jeanne") -> TgUser:
    """A Telegram user no other test of the module has used (the fake outlives one test)."""
    return TgUser(id=next(_chat_ids), first_name=first_name, language_code="fr")


def texts(messages: list[SentMessage]) -> list[str]:
    return [m.text for m in messages]


def sunday_morning_clock() -> Callable[[], datetime]:
    """Real time moved on to the next Sunday, 10:00 in Paris, and flowing from there.

    "demain" is then a Monday and "jeudi" four days later whatever day the suite runs, and the
    engine's moments stay after every timestamp the backend takes from the real clock.
    """
    real = utcnow()
    local = real.astimezone(PARIS)
    days = (6 - local.weekday()) % 7 or 7
    anchor = (local + timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)
    offset = anchor - real
    return lambda: utcnow() + offset


@dataclass
class Bot:
    """The running app as Telegram and the dispatchers see it."""

    client: TestClient
    fake: FakeTelegram
    factory: sessionmaker[Session]
    settings: Settings
    outbox_senders: dict[str, Sender] = field(default_factory=dict)
    stopped: bool = False

    # ------------------------------------------------------------ what people send
    def post(self, update: dict[str, Any]) -> httpx.Response:
        """Deliver `update` to the webhook as Telegram does; the raw response."""
        return post_update(self.client, update, secret=SECRET)

    def turn(self, user: TgUser, update: dict[str, Any]) -> list[SentMessage]:
        """One update from `user`; the messages their chat received in answer."""
        before = {m.message_id for m in self.fake.messages_to(user.id)}
        response = self.post(update)
        assert response.status_code == 200, response.text
        return [m for m in self.fake.messages_to(user.id) if m.message_id not in before]

    def say(self, user: TgUser, text: str) -> list[SentMessage]:
        return self.turn(user, self.fake.text_update(user, text))

    def press(self, user: TgUser, message: SentMessage, data: str) -> list[SentMessage]:
        """`user` presses the inline button `data` under `message`."""
        assert data in [d for row in message.buttons for _, d in row], (data, message.buttons)
        return self.turn(user, self.fake.callback_update(user, message, data))

    def share_contact(self, user: TgUser, phone: str) -> list[SentMessage]:
        return self.turn(user, self.fake.contact_update(user, phone))

    # ------------------------------------------------------------ what others receive
    def deliver(self) -> DeliveryReport:
        """One pass of the outbox worker: due messages go through the real sender."""
        return deliver_due(self.factory, self.outbox_senders)

    def reads(self, user: TgUser) -> list[SentMessage]:
        return self.fake.messages_to(user.id)

    # ------------------------------------------------------------ what is stored
    def rows(self, statement: Any) -> list[Any]:
        """What the database holds, read in a transaction of its own and closed at once
        (on SQLite an open transaction holds the write lock the bot needs)."""
        with self.factory() as s:
            return list(s.scalars(statement))

    def one(self, statement: Any) -> Any:
        (row,) = self.rows(statement)
        return row

    def conversation(self, user: TgUser) -> Conversation:
        return self.one(
            select(Conversation).where(
                Conversation.channel == "telegram", Conversation.address == str(user.id)
            )
        )

    def transcript(self, user: TgUser) -> list[ConversationMessage]:
        return self.rows(
            select(ConversationMessage)
            .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
            .where(Conversation.channel == "telegram", Conversation.address == str(user.id))
            .order_by(ConversationMessage.id)
        )

    def stop(self) -> None:
        """The process ends: the app's lifespan closes, the outbox sender lets go."""
        if self.stopped:
            return
        self.stopped = True
        for sender in self.outbox_senders.values():
            if isinstance(sender, TelegramSender):
                sender.close()
        self.client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as server:
        yield server


def webhook_settings(
    engine: DbEngine,
    var_dir: Path,
    fake: FakeTelegram,
    *,
    run_workers: bool,
    token: str = TOKEN,
    secret: str = SECRET,
) -> Settings:
    """The app on the test database, Telegram in webhook mode against the fake Bot API."""
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        var_dir=var_dir,
        telegram_token=token,  # type: ignore[arg-type]
        telegram_api_url=fake.base_url,
        telegram_webhook_secret=secret,  # type: ignore[arg-type]
        telegram_mode="webhook",
        run_workers=run_workers,
        _env_file=None,  # type: ignore[call-arg]
    )


def unhurried() -> ChatRateLimiter:
    """No pacing. Telegram's pace (bursts of 3 then 1 message/s per chat) is the adapter's
    and is tested in tests/telegram; here it would only add seconds of waiting per test."""
    return ChatRateLimiter(per_chat_rate=1e4, per_chat_burst=1e4, overall_rate=1e4)


@pytest.fixture
def start_bot(
    engine: DbEngine,
    session_factory: sessionmaker[Session],
    nlu_parser: IntentParser,  # noqa: F811
    fake: FakeTelegram,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[], Bot]]:
    """Start the app (again): each call is a new process on the same database."""
    running: list[Bot] = []
    clock = sunday_morning_clock()
    # create_app builds the Telegram channel with the default limiter: make it unhurried.
    monkeypatch.setattr("bots.telegram.application.ChatRateLimiter", lambda **_: unhurried())

    def start() -> Bot:
        settings = webhook_settings(engine, tmp_path, fake, run_workers=False)
        conversation_engine = Engine(
            session_factory,
            nlu_parser,
            engine_config(settings, dispatch_config(settings)),
            clock=clock,
        )
        client = TestClient(create_app(settings, conversation_engine=conversation_engine))
        client.__enter__()
        sender = TelegramSender(TOKEN, fake.base_url, render_notification, rate_limiter=unhurried())
        bot = Bot(client, fake, session_factory, settings, {"telegram": sender})
        running.append(bot)
        return bot

    yield start
    for bot in running:
        bot.stop()


@pytest.fixture
def bot(start_bot: Callable[[], Bot]) -> Bot:
    return start_bot()
