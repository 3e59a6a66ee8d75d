"""Joining an existing person from Telegram takes proof of the number, end to end.

The attack: /start, a name, then a resident's phone number typed. It gets a code sent to her
phone and nothing of hers; only the code, which the SMS (the real `SmsSender` through the real
twilio library to the fake Twilio API) carries to her phone, typed back links an account.
A number nobody has gets its code in the same words (a chat cannot tell residents' numbers),
and is kept only once the code comes back: typed and not proven, it is not kept, so that its
owner's calls to the hotline never land in the account of whoever typed it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.people.models import ContactKind, ContactPoint, Person
from bots.voice.client import twilio_client
from bots.voice.sender import SmsSender
from coupdemain.configuration import dispatch_config, engine_config
from dialogues.engine import Engine
from dialogues.messages import Incoming
from dialogues.notifications import render_notification
from nlu.interface import IntentParser
from tests.e2e_telegram.conftest import Bot, new_user, texts
from tests.factories import make_request, make_resident
from tests.fakes.telegram_api import TgUser
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

HOTLINE = "+33482530000"
GERMAINE = "+33639980042"
ODETTE = "+33611223344"  # nobody's yet


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


def _code_in_her_sms(bot: Bot, line: FakeTwilio, number: str = GERMAINE) -> str:
    assert bot.deliver().sent == 1
    (sms,) = line.sms_to(number)
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


def _phones(bot: Bot) -> list[tuple[int, str, bool]]:
    return [
        (c.person_id, c.value, c.verified)
        for c in bot.rows(select(ContactPoint).where(ContactPoint.kind == ContactKind.phone))
    ]


def test_a_number_nobody_has_gets_its_code_in_the_same_words_and_is_kept_once_proven(
    bot: Bot, line: FakeTwilio, germaine: int
) -> None:
    on_hers, on_new = new_user("Mallory"), new_user("Odette")
    _types_her_number(bot, on_hers)
    bot.say(on_new, "/start")
    bot.say(on_new, "Odette Martin")
    (asked,) = bot.say(on_new, "06 11 22 33 44")
    (asked_hers,) = [m for m in bot.reads(on_hers) if m.text.startswith("Pour vérifier")]
    assert asked.text == asked_hers.text.replace("06 •• •• •• 42", "06 •• •• •• 44")
    assert asked.buttons == asked_hers.buttons
    assert _linked_to(bot, on_new) is None and (germaine, GERMAINE, False) in _phones(bot)
    assert [p for p in _phones(bot) if p[1] == ODETTE] == []
    # Both SMS go out through Twilio; the one to the new number carries its own code.
    assert bot.deliver().sent == 2
    (sms,) = line.sms_to(ODETTE)
    found = re.search(r"votre code est (\d{6})\.", sms.body)
    assert found, sms.body
    (address_asked,) = bot.say(on_new, found.group(1))
    assert "adresse" in address_asked.text.lower()
    bot.say(on_new, "8 rue inconnue")
    bot.say(on_new, "oui")
    odette = _linked_to(bot, on_new)
    assert odette not in (None, germaine)
    assert (odette, ODETTE, True) in _phones(bot)


def test_a_number_typed_and_skipped_is_not_kept_and_its_owners_call_is_not_the_impostors(
    bot: Bot, line: FakeTwilio, nlu_parser: IntentParser
) -> None:
    mallory = new_user("Mallory")
    bot.say(mallory, "/start")
    bot.say(mallory, "Mallory Dupont")
    (asked,) = bot.say(mallory, "06 11 22 33 44")
    assert asked.text.startswith("Pour vérifier que ce numéro est bien le vôtre")
    assert bot.deliver().sent == 1 and len(line.sms_to(ODETTE)) == 1
    skipped = texts(bot.press(mallory, asked, "skip"))
    assert skipped[0] == "D'accord, continuons sans ce numéro."
    bot.say(mallory, "8 rue inconnue")
    bot.say(mallory, "oui")
    mallory_id = _linked_to(bot, mallory)
    assert mallory_id is not None and _phones(bot) == []
    # The number's owner rings the hotline: the voice channel's turn, on the same engine.
    voice = Engine(
        bot.factory, nlu_parser, engine_config(bot.settings, dispatch_config(bot.settings))
    )
    heard = voice.handle(
        Incoming(channel="voice", address=ODETTE, text="allô bonjour", external_id="CA1:1")
    )
    said = [r.text for r in heard.replies]
    assert said[0] == "Bonjour ! Ici Coup de main, l'entraide entre voisins."
    assert "Mallory" not in "\n".join(said)
    call = bot.one(
        select(Conversation).where(Conversation.channel == "voice", Conversation.address == ODETTE)
    )
    assert call.person_id is None
