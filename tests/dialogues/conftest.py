"""A conversation driver over the real engine, the real NLU model and a real database."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dialogues.engine import Engine
from dialogues.messages import Contact, Incoming, Location, Outgoing, TurnResult
from nlu.artefact import load_or_train
from nlu.interface import IntentParser

# Sunday 22 November 2026, 10:00 in Paris: "demain" is Monday the 23rd.
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
MODELS_DIR = Path(__file__).resolve().parents[2] / "var" / "test-models" / "nlu"


@pytest.fixture(scope="session")
def nlu_parser() -> IntentParser:
    """The real local model, trained once and kept under var/ (retrained when data changes)."""
    return load_or_train(MODELS_DIR)


@dataclass
class Chat:
    engine: Engine
    channel: str = "telegram"
    address: str = "1001"
    sender_id: str | None = "1001"
    sender_name: str | None = "Jeanne"
    language: str | None = "fr"
    history: list[TurnResult] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, **fields: object) -> list[str]:
        incoming = Incoming(
            channel=self.channel,
            address=self.address,
            sender_id=self.sender_id,
            sender_name=self.sender_name,
            language=self.language,
            external_id=fields.pop(
                "external_id", f"{self.channel}:{self.address}:{next(self._ids)}"
            ),  # type: ignore[arg-type]
            **fields,  # type: ignore[arg-type]
        )
        result = self.engine.handle(incoming)
        self.history.append(result)
        return [r.text for r in result.replies]

    def say(self, text: str) -> list[str]:
        return self.send(text=text)

    def press(self, choice: str) -> list[str]:
        return self.send(choice=choice)

    def keys(self, digits: str) -> list[str]:
        return self.send(digits=digits)

    def share_contact(self, phone: str) -> list[str]:
        return self.send(contact=Contact(phone=phone, user_id=self.sender_id))

    def share_location(self, lat: float, lon: float) -> list[str]:
        return self.send(location=Location(lat, lon))

    @property
    def last(self) -> list[Outgoing]:
        return self.history[-1].replies

    def choices(self) -> list[str]:
        return [c.id for r in self.last for c in r.choices]


@pytest.fixture
def make_engine(
    session_factory: sessionmaker[Session], nlu_parser: IntentParser
) -> Callable[..., Engine]:
    def build(now: datetime = NOW) -> Engine:
        from backend.dispatch.config import DispatchConfig
        from backend.dispatch.service import DispatchPolicy
        from dialogues.config import EngineConfig

        return Engine(
            session_factory,
            nlu_parser,
            EngineConfig(dispatch=DispatchConfig(policy=DispatchPolicy(), commission_bps=1000)),
            clock=lambda: now,
        )

    return build


@pytest.fixture
def chat(make_engine: Callable[..., Engine]) -> Callable[..., Chat]:
    def open_chat(**options: object) -> Chat:
        return Chat(engine=make_engine(), **options)  # type: ignore[arg-type]

    return open_chat
