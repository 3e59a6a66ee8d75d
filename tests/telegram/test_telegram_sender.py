"""The outbox's Telegram sender: delivery, Telegram's refusals as the outbox needs them, limits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import make_session_factory, utcnow
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import PermanentSendError, TransientSendError, deliver_due, enqueue
from bots.telegram import TelegramSender
from dialogues.messages import Choice, Outgoing
from dialogues.notifications import render_notification
from tests.fakes.telegram_api import FakeTelegram

# PTB 22 itself warns, building RetryAfter, that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

HELPER = 601
_ids = itertools.count(1)


def payload_renderer(kind: str, payload: dict[str, Any], language: str) -> list[Outgoing]:
    """Stand-in renderer: the payload says the words and the buttons."""
    choices = tuple(Choice(c["id"], c["label"]) for c in payload.get("choices", []))
    return [Outgoing(text=t) for t in payload.get("before", [])] + [
        Outgoing(text=payload["text"], choices=choices)
    ]


def offer(chat_id: int = HELPER, **payload: Any) -> OutboxMessage:
    body = {
        "text": "Mme Martin a besoin de courses jeudi. Vous pouvez ?",
        "choices": [
            {"id": "offer:7:accept", "label": "Accepter"},
            {"id": "offer:7:decline", "label": "Refuser"},
        ],
        "language": "fr",
        **payload,
    }
    return OutboxMessage(
        id=next(_ids), channel="telegram", address=str(chat_id), kind="offer", payload=body
    )


@pytest.fixture
def sender(fake_telegram: FakeTelegram) -> Iterator[TelegramSender]:
    sender = TelegramSender(fake_telegram.token, fake_telegram.base_url, payload_renderer)
    yield sender
    sender.close()


def test_sends_the_offer_with_buttons_and_returns_the_message_id(
    sender: TelegramSender, fake_telegram: FakeTelegram
) -> None:
    provider_id = sender.send(offer())

    (sent,) = fake_telegram.messages_to(HELPER)
    assert provider_id == str(sent.message_id)
    assert sent.text.startswith("Mme Martin")
    assert sent.buttons == [[("Accepter", "offer:7:accept"), ("Refuser", "offer:7:decline")]]
    assert not sent.removes_keyboard  # a notification leaves a conversation's keyboard alone


def test_several_statements_go_out_as_one_message(
    sender: TelegramSender, fake_telegram: FakeTelegram
) -> None:
    sender.send(offer(before=["Bonjour Paul.", "Une demande près de chez vous."]))

    (sent,) = fake_telegram.messages_to(HELPER)
    assert sent.text.split("\n\n")[:2] == ["Bonjour Paul.", "Une demande près de chez vous."]
    assert sent.buttons


def test_flood_control_is_transient_with_telegrams_retry_after(
    sender: TelegramSender, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_sends(HELPER, times=1, status=429, retry_after=3)

    with pytest.raises(TransientSendError) as caught:
        sender.send(offer())

    assert caught.value.retry_after == 3
    assert sender.send(offer())  # the next attempt goes through


def test_a_blocked_bot_is_permanent(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_sends(HELPER, times=1, status=403)

    with pytest.raises(PermanentSendError, match="blocked by the user"):
        sender.send(offer())


def test_an_unknown_chat_is_permanent(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_sends(HELPER, times=1, status=400)
    with pytest.raises(PermanentSendError, match="(?i)chat not found"):
        sender.send(offer())


@pytest.mark.parametrize("address", ["+33612345678", "", "chat"])
def test_an_address_that_is_no_chat_id_is_permanent(sender: TelegramSender, address: str) -> None:
    row = OutboxMessage(channel="telegram", address=address, kind="offer", payload={"text": "x"})
    with pytest.raises(PermanentSendError, match="not a Telegram chat id"):
        sender.send(row)


def test_telegram_unreachable_is_transient() -> None:
    sender = TelegramSender("123:unreachable", "http://127.0.0.1:9/bot", payload_renderer)
    try:
        with pytest.raises(TransientSendError, match="unreachable"):
            sender.send(offer())
    finally:
        sender.close()


def test_five_messages_to_one_chat_are_a_second_apart_but_other_chats_do_not_wait(
    sender: TelegramSender, fake_telegram: FakeTelegram
) -> None:
    for _ in range(5):
        sender.send(offer(HELPER))
    for chat in range(700, 705):
        sender.send(offer(chat))

    same_chat = [m.at for m in fake_telegram.messages_to(HELPER)]
    gaps = [b - a for a, b in itertools.pairwise(same_chat)]
    assert min(gaps) >= 0.9, gaps
    other_chats = [fake_telegram.messages_to(chat)[0].at for chat in range(700, 705)]
    assert max(other_chats) - min(other_chats) < 0.9  # never throttled to 1/s across chats


def test_the_real_notification_renderer_is_accepted(fake_telegram: FakeTelegram) -> None:
    sender = TelegramSender(fake_telegram.token, fake_telegram.base_url, render_notification)
    message = Outgoing("Bonjour, ici Claire, de l'accueil.").to_dict()
    row = OutboxMessage(
        channel="telegram",
        address=str(HELPER),
        kind="dispatcher_message",
        payload={"language": "fr", **message},
    )
    try:
        sender.send(row)
    finally:
        sender.close()
    assert "Bonjour, ici Claire" in fake_telegram.texts_to(HELPER)[0]


@pytest.fixture
def outbox_factory(sqlite_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(sqlite_engine)


def test_outbox_delivery_marks_sent_retries_429_and_fails_a_blocked_chat(
    outbox_factory: sessionmaker[Session], sender: TelegramSender, fake_telegram: FakeTelegram
) -> None:
    with outbox_factory() as session, session.begin():
        for chat in (HELPER, 602, 603):
            enqueue(
                session,
                channel="telegram",
                address=str(chat),
                kind="offer",
                payload=offer(chat).payload,
            )
    fake_telegram.fail_sends(602, status=429, retry_after=7)
    fake_telegram.fail_sends(603, status=403)
    before = utcnow()

    report = deliver_due(outbox_factory, {"telegram": sender})

    assert (report.sent, report.retried, report.failed) == (1, 1, 1)
    with outbox_factory() as session:
        rows = {r.address: r for r in session.scalars(select(OutboxMessage))}
    sent, throttled, blocked = rows[str(HELPER)], rows["602"], rows["603"]
    assert sent.status == OutboxStatus.sent
    assert sent.provider_id == str(fake_telegram.messages_to(HELPER)[0].message_id)
    assert throttled.status == OutboxStatus.pending
    assert throttled.next_attempt_at >= before + timedelta(seconds=7)
    assert blocked.status == OutboxStatus.failed
    assert "blocked" in blocked.last_error
