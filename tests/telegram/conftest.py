"""Telegram fixtures: the fake Bot API server, a stand-in engine, and the real app wired to both.

`EchoEngine` stands in for the conversation engine so that these tests prove the adapter
alone: what Telegram sends becomes the right `Incoming`, and what the engine answers reaches
the chat with the right keyboard. Whole conversations with the real engine live elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from coupdemain.app import create_app
from coupdemain.settings import Settings
from dialogues.messages import Choice, Expect, Incoming, Outgoing, TurnResult
from tests.fakes.telegram_api import FakeTelegram, TgUser, fake_telegram_fixture  # noqa: F401

SECRET = "s3cret-webhook-token_for-tests"
JEANNE = TgUser(id=501, first_name="Jeanne", language_code="fr")
PAUL = TgUser(id=502, first_name="Paul", language_code="en")


class EchoEngine:
    """Answers by rules, remembers each `Incoming`, and de-duplicates by external_id."""

    def __init__(self) -> None:
        self.incomings: list[Incoming] = []
        self.fail_next = 0  # raise on the next N turns (before anything is stored)
        self._seen: dict[str, TurnResult] = {}
        self._lock = threading.Lock()

    def handle(self, incoming: Incoming) -> TurnResult:
        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                raise RuntimeError("database unavailable")
            if incoming.external_id in self._seen:
                previous = self._seen[incoming.external_id]
                return TurnResult(replies=previous.replies, duplicate=True)
            self.incomings.append(incoming)
            result = self._answer(incoming)
            if incoming.external_id:
                self._seen[incoming.external_id] = result
            return result

    def _answer(self, incoming: Incoming) -> TurnResult:
        language = incoming.language or "fr"
        text = incoming.text
        if incoming.choice:
            return TurnResult([Outgoing(f"choisi : {incoming.choice}")], language=language)
        if incoming.contact:
            return TurnResult([Outgoing(f"merci pour {incoming.contact.phone}")])
        if incoming.location:
            loc = incoming.location
            return TurnResult([Outgoing(f"position {loc.lat},{loc.lon}")])
        if text is None:
            return TurnResult([Outgoing("Je ne lis que le texte.")])
        if text == "numéro":
            return TurnResult(
                [Outgoing("Votre numéro ?", expect=Expect.contact)], language=language
            )
        if text == "adresse":
            return TurnResult(
                [Outgoing("Votre adresse ?", expect=Expect.location)], language=language
            )
        if text == "silence":
            return TurnResult(silent=True)
        if text == "long":
            return TurnResult([Outgoing("mot " * 2000, choices=(Choice("ok", "OK"),))])
        if text == "menu":
            labels = ("Demander de l'aide maintenant", "Proposer mon aide aux voisins")
            choices = tuple(Choice(f"m{i}", label) for i, label in enumerate(labels))
            return TurnResult([Outgoing("Que voulez-vous faire ?", choices=choices)])
        return TurnResult(
            [
                Outgoing(f"écho : {text}"),
                Outgoing(
                    "D'accord ?",
                    choices=(Choice("yes", "Oui", "1"), Choice("no", "Non", "2")),
                    expect=Expect.yes_no,
                ),
            ],
            language=language,
        )


@pytest.fixture
def echo_engine() -> EchoEngine:
    return EchoEngine()


def telegram_settings(tmp_path: Path, fake: FakeTelegram, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path}/telegram.db",
        "var_dir": tmp_path,
        "run_workers": False,
        "telegram_token": fake.token,
        "telegram_api_url": fake.base_url,
        "telegram_webhook_secret": SECRET,
        "telegram_mode": "webhook",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def webhook_client(
    tmp_path: Path, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> Iterator[TestClient]:
    """The real app (create_app) in webhook mode, Telegram's API being the fake."""
    app = create_app(telegram_settings(tmp_path, fake_telegram), conversation_engine=echo_engine)
    with TestClient(app) as client:
        yield client
