"""Whole phone calls, end to end.

The real app (`create_app`) runs inside a TestClient with Twilio configured; each call is
driven by `bots.voice.simulator.PhoneCall`, which posts the form fields Twilio posts, signed
with twilio's RequestValidator over PUBLIC_URL, and reads the TwiML back as what the caller
hears. The real conversation engine understands French with the real local NLU model; the
database is real (SQLite and PostgreSQL, through the `engine` fixture). Messages to other
people go through the outbox and the real `SmsSender` / `CallSender` to a fake Twilio REST
server over HTTP, which records what each number was sent.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow
from backend.jobs.service import run_due
from backend.outbox.service import DeliveryReport, Sender, deliver_due
from bots.voice.simulator import Heard, PhoneCall, http_poster
from coupdemain.app import create_app, job_handlers, senders
from coupdemain.configuration import dispatch_config, engine_config
from coupdemain.settings import Settings
from dialogues.engine import Engine
from dialogues.wording import PARIS
from nlu.interface import IntentParser
from tests.dialogues.conftest import nlu_parser  # noqa: F401  (the real model, once a session)
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, PlacedCall

PUBLIC_URL = "https://hotline.coupdemain.example"
HOTLINE = "+33482530000"
DISPATCHER = "+33482539999"

_numbers = itertools.count(1)


def new_landline() -> str:
    """A Lyon landline no other test of the module has used (the fake outlives one test)."""
    return f"+334780{next(_numbers):05d}"


def new_mobile() -> str:
    return f"+336390{next(_numbers):05d}"


def sunday_morning_clock() -> Callable[[], datetime]:
    """Real time moved on to the next Sunday, 10:00 in Paris, and flowing from there: "demain"
    is a Monday whatever day the suite runs, and the engine's moments stay after every
    timestamp the backend takes from the real clock."""
    real = utcnow()
    local = real.astimezone(PARIS)
    days = (6 - local.weekday()) % 7 or 7
    anchor = (local + timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)
    offset = anchor - real
    return lambda: utcnow() + offset


@dataclass
class Line:
    """The running app as Twilio and the people on the phone see it."""

    client: TestClient
    fake: FakeTwilio
    factory: sessionmaker[Session]
    settings: Settings
    clock: Callable[[], datetime]
    outbox_senders: dict[str, Sender] = field(default_factory=dict)

    # ------------------------------------------------------------ calls
    def call(self, caller: str) -> PhoneCall:
        """Someone about to ring the hotline from `caller`."""
        return PhoneCall(
            http_poster(self.client),
            public_url=PUBLIC_URL,
            auth_token=AUTH_TOKEN,
            caller=caller,
            hotline=HOTLINE,
            account_sid=ACCOUNT_SID,
        )

    def rung(self, placed: PlacedCall) -> PhoneCall:
        """The call the fake recorded, as its callee's phone (not picked up yet)."""
        return PhoneCall(
            http_poster(self.client),
            public_url=PUBLIC_URL,
            auth_token=AUTH_TOKEN,
            caller=placed.to,
            hotline=placed.from_,
            account_sid=ACCOUNT_SID,
            outbound=True,
            call_sid=placed.sid,
        )

    def pick_up(
        self, placed: PlacedCall, *, answered_by: str | None = None
    ) -> tuple[PhoneCall, Heard]:
        """The person we rang (or their answering machine) answers a call the fake recorded."""
        assert placed.url is not None
        call = self.rung(placed)
        return call, call.pick_up(placed.url, answered_by=answered_by)

    def post_sms(self, sender: str, body: str, *, sid: str | None = None) -> Heard:
        """An SMS to the hotline (TwiML <Message> back, parsed as a Heard's xml)."""
        call = self.call(sender)
        form = {
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "MessageSid": sid or f"SM{next(_numbers):032d}",
            "SmsSid": sid or "",
            "From": sender,
            "To": HOTLINE,
            "Body": body,
            "NumMedia": "0",
        }
        return call.signed_post(f"{PUBLIC_URL}/sms/incoming", form)

    # ------------------------------------------------------------ workers
    def deliver(self) -> DeliveryReport:
        """One pass of the outbox worker through the real Twilio senders."""
        return deliver_due(self.factory, self.outbox_senders)

    def run_jobs(self, at: datetime) -> int:
        return run_due(
            self.factory, job_handlers(dispatch_config(self.settings).policy), now=lambda: at
        )

    # ------------------------------------------------------------ what is stored
    def rows(self, statement: Any) -> list[Any]:
        with self.factory() as s:
            return list(s.scalars(statement))

    def one(self, statement: Any) -> Any:
        (row,) = self.rows(statement)
        return row

    def conversation(self, number: str, channel: str = "voice") -> Conversation:
        return self.one(
            select(Conversation).where(
                Conversation.channel == channel, Conversation.address == number
            )
        )

    def transcript(self, number: str) -> list[str]:
        return [
            m.text
            for m in self.rows(
                select(ConversationMessage)
                .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
                .where(Conversation.address == number)
                .order_by(ConversationMessage.id)
            )
        ]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


def line_settings(engine: DbEngine, tmp_path: Path, fake: FakeTwilio, **extra: Any) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        var_dir=tmp_path,
        public_url=PUBLIC_URL,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,  # type: ignore[arg-type]
        twilio_number=HOTLINE,
        twilio_api_url=fake.url,
        dispatcher_phone=DISPATCHER,
        run_workers=False,
        _env_file=None,  # type: ignore[call-arg]
        **extra,
    )


def hotline_app(
    settings: Settings,
    session_factory: sessionmaker[Session],
    parser: IntentParser,
    clock: Callable[[], datetime],
) -> FastAPI:
    """The whole app, its real engine reading the time from `clock`."""
    conversation_engine = Engine(
        session_factory, parser, engine_config(settings, dispatch_config(settings)), clock=clock
    )
    return create_app(settings, conversation_engine=conversation_engine)


@pytest.fixture
def line(
    engine: DbEngine,
    session_factory: sessionmaker[Session],
    nlu_parser: IntentParser,  # noqa: F811
    fake: FakeTwilio,
    tmp_path: Path,
) -> Iterator[Line]:
    clock = sunday_morning_clock()
    settings = line_settings(engine, tmp_path, fake)
    app = hotline_app(settings, session_factory, nlu_parser, clock)
    with TestClient(app) as client:
        yield Line(
            client,
            fake,
            session_factory,
            settings,
            clock,
            senders(settings, app.state.voice_channel),
        )
