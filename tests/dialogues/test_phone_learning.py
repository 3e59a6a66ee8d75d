"""The engine's side of the phone preferences: the hint it returns on the voice channel
(`TurnResult.pace`, `keypad_first`), and nothing on Telegram."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.people.models import PhonePreferences
from tests.dialogues.conftest import Chat
from tests.factories import make_resident

PHONE = "+33478000071"


def test_on_the_phone_a_request_for_slower_speech_is_acknowledged_and_returned_as_a_hint(
    chat: Callable[..., Chat], session: Session
) -> None:
    person = make_resident(session, "Germaine Roux", phone=PHONE)
    session.commit()
    phone = chat(channel="voice", address=PHONE, sender_id=None)
    phone.press("call:start")
    assert phone.history[-1].pace == "normal" and not phone.history[-1].keypad_first
    said = phone.say("pouvez-vous parler moins vite")
    assert said[0] == "D'accord, je vais parler plus lentement."
    assert said[1] == "Que puis-je faire pour vous ?"
    assert phone.history[-1].pace == "slow"
    stored = session.get(PhonePreferences, person.id)
    assert stored is not None and stored.slow_speech


def test_telegram_gets_no_phone_hint_and_nothing_is_learned(
    chat: Callable[..., Chat], session: Session
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    session.commit()
    telegram = chat()
    telegram.say("bonjour")
    said = telegram.say("parlez plus lentement")
    assert "D'accord, je vais parler plus lentement." not in said
    assert telegram.history[-1].pace == "normal" and not telegram.history[-1].keypad_first
    assert session.scalars(select(PhonePreferences)).all() == []
