"""Joining an existing person from Telegram takes proof of the number, end to end.

The attack: /start, a name, then a resident's phone number typed. It gets a code sent to her
phone and nothing of hers; only the code, which the SMS (the real `SmsSender` through the real
twilio library to the fake Twilio API) carries to her phone, typed back links an account.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.people.models import ContactKind, Person
from bots.voice.client import twilio_client
from bots.voice.sender import SmsSender
from dialogues.notifications import render_notification
from tests.e2e_telegram.conftest import Bot, new_user, texts
from tests.factories import make_request, make_resident
from tests.fakes.telegram_api import TgUser
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

HOTLINE = "+33482530000"
GERMAINE = "+33639980042"


@pytest.fixture
def line(bot: Bot) -> Iterator[FakeTwilio]:
    """SMS out through the fake Twilio API, as the app's outbox worker sends them."""
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        client = twilio_client(ACCOUNT_SID, AUTH_TOKEN, fake.url)
        bot.outbox_senders["sms"] = SmsSender(client, HOTLINE, render_notification, bot.factory)
        yield fake


@pytest.fixture
def germaine(session: Session) -> int:
    person = make_resident(session, "Germaine Roux", phone="06 39 98 00 42")
    make_request(session, person)
    session.commit()
    person_id = person.id
    session.close()
    return person_id


def _types_her_number(bot: Bot, user: TgUser) -> None:
    bot.say(user, "/start")
    bot.say(user, "Mallory Dupont" if user.first_name == "Mallory" else "Germaine Roux")
    (asked,) = bot.say(user, "06 39 98 00 42")
    assert asked.text == (
        "Pour vérifier que ce numéro est bien le vôtre, je viens d'envoyer un code à 6 chiffres "
        "par SMS au 06 •• •• •• 42. Écrivez-le ici. Il est valable 10 minutes."
    )
    assert asked.buttons == [[("Renvoyer le code", "resend"), ("Passer", "skip")]]


def _code_in_her_sms(bot: Bot, line: FakeTwilio) -> str:
    assert bot.deliver().sent == 1
    (sms,) = line.sms_to(GERMAINE)
    assert sms.from_ == HOTLINE
    found = re.search(r"votre code est (\d{6})\.", sms.body)
    assert found, sms.body
    return found.group(1)


def _linked_to(bot: Bot, user: TgUser) -> int | None:
    person_id = bot.conversation(user).person_id
    owners = bot.rows(select(Person.id).where(Person.contacts.any(value=str(user.id))))
    assert owners == ([person_id] if person_id else [])
    return person_id


def test_a_typed_residents_number_gives_the_impostor_no_access(
    bot: Bot, line: FakeTwilio, germaine: int
) -> None:
    mallory = new_user("Mallory")
    _types_her_number(bot, mallory)
    code = _code_in_her_sms(bot, line)  # on Germaine's phone, not in Mallory's chat
    bot.say(mallory, "où en est ma demande ?")
    bot.say(mallory, "123456" if code != "123456" else "654321")
    read = "\n".join(texts(bot.reads(mallory)))
    assert code not in read
    assert "Germaine" not in read and "pharmacie" not in read.lower()
    assert "rue de la République" not in read
    assert _linked_to(bot, mallory) is None
    # Her notifications still go to her phone, not to the impostor's chat.
    with bot.factory() as s:
        assert s.get_one(Person, germaine).contact(ContactKind.telegram) is None


def test_the_code_from_the_sms_typed_back_links_the_account(
    bot: Bot, line: FakeTwilio, germaine: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    her_telegram = new_user("Germaine")
    _types_her_number(bot, her_telegram)
    code = _code_in_her_sms(bot, line)
    replies = texts(bot.say(her_telegram, code))
    assert replies[:2] == [
        "Merci ! Ce numéro est le vôtre : je vous reconnaîtrai aussi au téléphone.",
        "Bonjour Germaine ! Ici Coup de main.",
    ]
    assert _linked_to(bot, her_telegram) == germaine
    # Sent, typed and checked, the code was never written to a log (ours or a library's).
    assert caplog.records and code not in caplog.text


def test_someone_elses_contact_card_gives_no_access(
    bot: Bot, line: FakeTwilio, germaine: int
) -> None:
    mallory = new_user("Mallory")
    bot.say(mallory, "/start")
    bot.say(mallory, "Mallory Dupont")
    update = bot.fake.contact_update(
        mallory, "+33639980042", contact_user_id=None, first_name="Germaine"
    )
    refused, asked_again = bot.turn(mallory, update)
    assert refused.text.startswith("Cette fiche est celle d'une autre personne.")
    assert asked_again.text.startswith("Pour vous joindre, partagez votre numéro")
    assert _linked_to(bot, mallory) is None
    assert bot.deliver().sent == 0 and line.sms_to(GERMAINE) == []
