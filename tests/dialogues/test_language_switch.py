"""A message clearly in the other language is answered in it; two in a row switch the
conversation; "ok", "merci" or a name never switch anything."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from dialogues.language import detect_language
from tests.dialogues.conftest import Chat
from tests.factories import make_resident


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I need someone to help me with my shopping tomorrow", "en"),
        ("what is the status of my request please", "en"),
        ("j'ai besoin d'aide pour mes courses demain", "fr"),
        ("où en est ma demande s'il vous plaît", "fr"),
        ("ok", None),
        ("merci", None),
        ("hello", None),
        ("yes please", None),
        ("Jeanne Dupont", None),
        ("12 rue Dumenge", None),
        ("", None),
    ],
)
def test_a_language_is_read_only_from_several_of_its_words(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def _language_of(session: Session) -> str:
    session.expire_all()
    language = session.scalars(select(Conversation.language)).one()
    session.commit()  # ends the read, which would hold SQLite's lock
    return language


def test_english_typed_by_a_french_profile_is_answered_in_english_for_that_turn(
    chat: Callable[..., Chat], session: Session
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    session.commit()
    tg = chat()
    assert tg.say("what is the status of my request please") == ["You have no request in progress."]
    assert _language_of(session) == "fr"
    # "ok" says no language: French again, and nothing switched.
    assert tg.say("ok")[-1] == "Que puis-je faire pour vous ?"
    assert tg.say("où en est ma demande s'il vous plaît") == [
        "Vous n'avez pas de demande en cours."
    ]


def test_two_english_messages_in_a_row_switch_the_conversation_to_english(
    chat: Callable[..., Chat], session: Session
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    session.commit()
    tg = chat()
    tg.say("what is the status of my request please")
    assert tg.say("can you tell me the status of my request") == [
        "You have no request in progress."
    ]
    assert _language_of(session) == "en"
    # From now on even a message with no clear language is answered in English.
    assert all("Vous" not in r for r in tg.press("menu:check_status"))
    assert tg.press("menu:check_status") == ["You have no request in progress."]


def test_a_french_message_between_two_english_ones_keeps_french(
    chat: Callable[..., Chat], session: Session
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    session.commit()
    tg = chat()
    tg.say("what is the status of my request please")
    tg.say("où en est ma demande s'il vous plaît")
    assert tg.say("can you tell me the status of my request") == [
        "You have no request in progress."
    ]
    assert _language_of(session) == "fr"
    assert tg.press("menu:check_status") == ["Vous n'avez pas de demande en cours."]
