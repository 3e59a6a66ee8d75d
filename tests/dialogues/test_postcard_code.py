"""A postcard code typed on Telegram or keyed on the phone, and what the person is told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.people import codes, postcards
from backend.people.models import Address, Person, PostcardCode, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from dialogues.flows.postcard_code import REISSUE_FLAG
from dialogues.messages import Expect
from tests.dialogues.conftest import NOW, Chat
from tests.factories import make_resident

CODE = "012345"  # begins with 0, the phone's key for a human: the code must still win


@pytest.fixture(autouse=True)
def _known_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codes, "secrets", SimpleNamespace(randbelow=lambda _n: int(CODE)))


def _with_card(session: Session, *, issued_at: object = NOW, **resident: object) -> Person:
    person = make_resident(session, "Jeanne Martin", **resident)  # type: ignore[arg-type]
    desk = create_person(session, PersonCreate(display_name="Dispatch", roles=[Role.dispatcher]))
    postcards.issue_postcard_code(session, person.id, issued_by=desk.id, now=issued_at)  # type: ignore[arg-type]
    session.commit()
    return person


def _verified_at(session: Session, person: Person) -> object:
    session.expire_all()
    return session.scalar(select(Address.verified_at).where(Address.person_id == person.id))


def test_typed_code_verifies_the_address(chat: Callable[..., Chat], session: Session) -> None:
    jeanne = _with_card(session, telegram_id=1001)
    assert chat().say("012345") == ["Merci, votre adresse est vérifiée."]
    assert _verified_at(session, jeanne) == NOW


def test_code_with_a_word_and_spaces_is_understood(
    chat: Callable[..., Chat], session: Session
) -> None:
    jeanne = _with_card(session, telegram_id=1001)
    assert chat().say("Code 012 345") == ["Merci, votre adresse est vérifiée."]
    assert _verified_at(session, jeanne) is not None


def test_wrong_code_says_the_attempts_left_and_asks_again(
    chat: Callable[..., Chat], session: Session
) -> None:
    jeanne = _with_card(session, telegram_id=1001)
    tg = chat()
    replies = tg.say("482913")
    assert replies == [
        "Ce code ne correspond pas. Il vous reste 4 essais.",
        "Quel est le code à 6 chiffres écrit sur la carte postale ?",
    ]
    assert tg.say("012345") == ["Merci, votre adresse est vérifiée."]
    assert _verified_at(session, jeanne) is not None


def test_last_wrong_code_says_a_new_card_will_come(
    chat: Callable[..., Chat], session: Session
) -> None:
    jeanne = _with_card(session, telegram_id=1001)
    tg = chat()
    for _ in range(3):
        tg.say("482913")
    assert tg.say("482913")[0] == "Ce code ne correspond pas. Il vous reste un dernier essai."
    assert tg.say("482913") == [
        "Le code a été essayé trop de fois, il ne fonctionne plus. "
        "Une personne de l'équipe va vous envoyer une nouvelle carte."
    ]
    session.expire_all()
    conversation = session.scalars(select(Conversation)).one()
    assert REISSUE_FLAG in conversation.flags and conversation.flow is None
    assert _verified_at(session, jeanne) is None


def test_expired_code_says_a_new_card_will_come(
    chat: Callable[..., Chat], session: Session
) -> None:
    jeanne = _with_card(session, telegram_id=1001, issued_at=NOW - timedelta(days=31))
    assert chat().say("012345") == [
        "Ce code a expiré. Une personne de l'équipe va vous envoyer une nouvelle carte."
    ]
    assert _verified_at(session, jeanne) is None


def test_english_speaker_is_answered_in_english(
    chat: Callable[..., Chat], session: Session
) -> None:
    _with_card(session, telegram_id=1001, language="en")
    assert chat(language="en").say("012345") == ["Thank you, your address is verified."]


def test_six_digits_while_a_flow_asks_an_amount_go_to_that_flow(
    chat: Callable[..., Chat], session: Session
) -> None:
    _with_card(session, telegram_id=1001)
    tg = chat()
    tg.say("j'ai besoin d'aide pour mes courses demain matin")
    tg.say("oui")
    tg.press("skip")
    assert tg.press("pay:cash")[-1] == "Combien proposez-vous, en euros ?"

    replies = tg.say("482913")

    assert not any("code" in r for r in replies)
    session.expire_all()
    assert session.scalars(select(PostcardCode.attempts)).one() == 0


def test_six_digits_without_a_card_are_not_taken_for_a_code(
    chat: Callable[..., Chat], session: Session
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    session.commit()
    tg = chat()
    replies = tg.say("012345")
    assert not any("code" in r for r in replies)
    assert "menu:postcard_code" not in tg.choices()


def test_caller_keys_the_code_from_the_menu(chat: Callable[..., Chat], session: Session) -> None:
    germaine = _with_card(session, phone="0478000001")
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    phone.send(choice="call:start")
    assert "menu:postcard_code" in phone.choices()

    replies = phone.keys("4")
    assert replies == [
        "Tapez les 6 chiffres du code écrit sur la carte postale, puis la touche dièse. "
        "Vous pouvez aussi les dire."
    ]
    assert phone.last[-1].expect == Expect.text  # a full keypad entry, not one key
    assert phone.keys("012345") == ["Merci, votre adresse est vérifiée."]
    assert _verified_at(session, germaine) is not None


def test_caller_can_say_the_code_at_the_menu(chat: Callable[..., Chat], session: Session) -> None:
    germaine = _with_card(session, phone="0478000001")
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    phone.send(choice="call:start")
    assert phone.say("zéro un deux trois quatre cinq") == ["Merci, votre adresse est vérifiée."]
    assert _verified_at(session, germaine) is not None


def test_too_few_digits_at_the_code_question_asks_again(
    chat: Callable[..., Chat], session: Session
) -> None:
    _with_card(session, telegram_id=1001)
    tg = chat()
    tg.say("bonjour")
    tg.press("menu:postcard_code")
    assert tg.say("01234") == [
        "Le code a 6 chiffres, par exemple : 482 913.",
        "Quel est le code à 6 chiffres écrit sur la carte postale ?",
    ]
    session.expire_all()
    assert session.scalars(select(PostcardCode.attempts)).one() == 0
    session.rollback()  # SQLite: a reading session holds the write lock (BEGIN IMMEDIATE)
    # Something else entirely leaves the question behind.
    assert tg.say("où en est ma demande ?") == ["Vous n'avez pas de demande en cours."]
