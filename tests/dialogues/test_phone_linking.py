"""A Telegram account joins an existing person only with proof of the number: the sender's own
contact card, or the code sent to the number typed back. A typed number never links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.people.models import ContactKind, ContactPoint, Person, PhoneCode
from backend.people.phone_codes import MAX_CODES_PER_HOUR
from backend.people.service import add_contact, find_by_contact
from dialogues.messages import Contact
from dialogues.notifications import render_notification
from tests.dialogues.conftest import NOW, Chat
from tests.factories import make_request, make_resident

GERMAINE_MOBILE = "+33639980042"
LANDLINE = "+33465718939"


@pytest.fixture
def germaine(session: Session) -> Person:
    """A hotline caller with a request under way: what an impostor must not see."""
    person = make_resident(session, "Germaine Roux", phone=GERMAINE_MOBILE)
    make_request(session, person)
    session.commit()
    return person


def _attacker(chat: Callable[..., Chat]) -> Chat:
    tg = chat(sender_id="6666", address="6666", sender_name="Mallory")
    tg.say("/start")
    tg.say("Mallory Dupont")
    return tg


@dataclass(frozen=True)
class Queued:
    """An outbox row as it was read (the test's transaction is closed at once: on SQLite an
    open one would hold the lock the bot's next turn needs)."""

    id: int
    channel: str
    kind: str
    person_id: int | None
    payload: dict[str, Any]


def _codes_sent(session: Session, number: str) -> list[Queued]:
    session.expire_all()
    rows = [
        Queued(m.id, m.channel, m.kind, m.person_id, dict(m.payload))
        for m in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.address == number, OutboxMessage.kind.like("phone_code%"))
            .order_by(OutboxMessage.id)
        )
    ]
    session.rollback()
    return rows


def _linked_person_id(session: Session, telegram_id: str) -> int | None:
    session.expire_all()
    person = find_by_contact(session, ContactKind.telegram, telegram_id)
    conversation_person = session.scalar(
        select(Conversation.person_id).where(
            Conversation.channel == "telegram", Conversation.address == telegram_id
        )
    )
    assert (person.id if person else None) == conversation_person
    session.rollback()
    return conversation_person


def _everything_said(tg: Chat) -> str:
    return "\n".join(r.text for result in tg.history for r in result.replies)


def test_typed_number_of_a_resident_does_not_link_and_sends_her_a_code_by_sms(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = _attacker(chat)
    replies = tg.say("06 39 98 00 42")
    assert replies == [
        "Pour vérifier que ce numéro est bien le vôtre, je viens d'envoyer un code à 6 chiffres "
        "par SMS au 06 •• •• •• 42. Écrivez-le ici. Il est valable 10 minutes."
    ]
    assert [c.id for c in tg.last[0].choices] == ["resend", "skip"]
    assert _linked_person_id(session, "6666") is None
    (sms,) = _codes_sent(session, GERMAINE_MOBILE)
    assert (sms.channel, sms.kind, sms.person_id) == ("sms", "phone_code", germaine.id)
    code = sms.payload["code"]
    assert len(code) == 6 and code.isdigit()
    (text,) = [r.text for r in render_notification(sms.kind, sms.payload, "fr")]
    assert text.startswith(f"Coup de main : votre code est {code}.")
    # Only a hash of it is kept with the claim.
    (row,) = session.scalars(select(PhoneCode)).all()
    assert code not in row.code_hash and row.claimant == "telegram:6666"
    assert row.expires_at == NOW + timedelta(minutes=10) and row.max_attempts == 3


def test_an_impostor_waiting_for_the_code_sees_nothing_of_the_resident(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = _attacker(chat)
    tg.say("0639980042")
    tg.say("où en est ma demande ?")
    tg.press("menu:check_status")
    tg.say("123456")  # a guess
    said = _everything_said(tg)
    assert "Germaine" not in said
    assert "rue de la République" not in said and "pharmacie" not in said.lower()
    assert _linked_person_id(session, "6666") is None
    # Her notifications do not go to the impostor's chat either.
    session.expire_all()
    assert germaine.contact(ContactKind.telegram) is None


def test_the_right_code_links_the_account_to_the_resident(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = chat(sender_id="2002", address="2002")
    tg.say("bonjour")
    tg.say("Germaine Roux")
    tg.say("06 39 98 00 42")
    (sms,) = _codes_sent(session, GERMAINE_MOBILE)
    replies = tg.say(sms.payload["code"])
    assert replies[:2] == [
        "Merci ! Ce numéro est le vôtre : je vous reconnaîtrai aussi au téléphone.",
        "Bonjour Germaine ! Ici Coup de main.",
    ]
    assert _linked_person_id(session, "2002") == germaine.id
    assert len(session.scalars(select(Person)).all()) == 1
    assert session.scalar(
        select(ContactPoint.verified).where(ContactPoint.value == GERMAINE_MOBILE)
    )
    # The code has served: it stays nowhere once sent and used.
    session.expire_all()
    assert session.scalars(select(PhoneCode.status)).all() == ["used"]


def test_a_code_used_up_leaves_no_copy_in_the_sent_message(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = chat(sender_id="2002", address="2002")
    tg.say("bonjour")
    tg.say("Germaine Roux")
    tg.say("06 39 98 00 42")
    (sms,) = _codes_sent(session, GERMAINE_MOBILE)
    code = sms.payload["code"]
    # The outbox worker has sent it.
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id == sms.id).values(status=OutboxStatus.sent)
    )
    session.commit()
    tg.say(code)
    (sms,) = _codes_sent(session, GERMAINE_MOBILE)
    assert sms.payload["code"] == ""


def test_a_wrong_code_does_not_link_and_says_the_tries_left(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = _attacker(chat)
    tg.say("06 39 98 00 42")
    (sms,) = _codes_sent(session, GERMAINE_MOBILE)
    wrong = "000000" if sms.payload["code"] != "000000" else "111111"
    replies = tg.say(wrong)
    assert replies[0] == "Ce code ne correspond pas. Il vous reste 2 essais."
    assert replies[1].startswith("Pour vérifier que ce numéro est bien le vôtre")
    assert tg.say(wrong)[0] == "Ce code ne correspond pas. Il vous reste un dernier essai."
    replies = tg.say(wrong)
    assert replies == [
        "Le code a été essayé trop de fois, il ne fonctionne plus. Je peux vous en envoyer un "
        "nouveau, ou vous pouvez passer cette étape."
    ]
    assert [c.id for c in tg.last[0].choices] == ["resend", "skip"]
    # Locked: even the right code no longer works.
    tg.say(sms.payload["code"])
    assert _linked_person_id(session, "6666") is None
    assert "Germaine" not in _everything_said(tg)


def test_an_expired_code_offers_a_new_one_which_then_links(
    make_engine: Callable[..., object], session: Session, germaine: Person
) -> None:
    tg = Chat(engine=make_engine(), sender_id="2002", address="2002")  # type: ignore[arg-type]
    tg.say("bonjour")
    tg.say("Germaine Roux")
    tg.say("06 39 98 00 42")
    (first,) = _codes_sent(session, GERMAINE_MOBILE)
    tg.engine = make_engine(NOW + timedelta(minutes=11))  # type: ignore[assignment]
    replies = tg.say(first.payload["code"])
    assert replies == [
        "Ce code a expiré. Je peux vous en envoyer un nouveau, ou vous pouvez passer cette étape."
    ]
    assert _linked_person_id(session, "2002") is None
    replies = tg.press("resend")
    assert replies[0].startswith("Pour vérifier que ce numéro est bien le vôtre")
    _, second = _codes_sent(session, GERMAINE_MOBILE)
    tg.say(second.payload["code"])
    assert _linked_person_id(session, "2002") == germaine.id


def test_a_number_gets_only_a_few_codes_an_hour(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = _attacker(chat)
    tg.say("06 39 98 00 42")
    for _ in range(MAX_CODES_PER_HOUR - 1):
        tg.press("resend")
    replies = tg.press("resend")
    assert replies[0].startswith("Ce numéro a déjà reçu plusieurs codes.")
    assert len(_codes_sent(session, GERMAINE_MOBILE)) == MAX_CODES_PER_HOUR


def test_skipping_the_code_registers_a_new_person_without_that_number(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = _attacker(chat)
    tg.say("06 39 98 00 42")
    assert tg.press("skip")[0] == "D'accord, continuons sans ce numéro."
    tg.say("8 rue inconnue")
    tg.say("oui")
    session.expire_all()
    mallory = find_by_contact(session, ContactKind.telegram, "6666")
    assert mallory is not None and mallory.id != germaine.id
    assert mallory.contact(ContactKind.phone) is None
    assert find_by_contact(session, ContactKind.phone, GERMAINE_MOBILE).id == germaine.id  # type: ignore[union-attr]


def test_a_landline_gets_its_code_by_a_call_that_reads_the_digits(
    chat: Callable[..., Chat], session: Session
) -> None:
    make_resident(session, "Marcel Petit", phone="04 65 71 89 39")
    session.commit()
    tg = _attacker(chat)
    replies = tg.say("04 65 71 89 39")
    assert replies[0].startswith(
        "Pour vérifier que ce numéro est bien le vôtre, Coup de main va appeler le "
        "04 •• •• •• 39 et vous dire un code à 6 chiffres."
    )
    (call,) = _codes_sent(session, LANDLINE)
    assert (call.channel, call.kind) == ("voice_call", "phone_code_call")
    code = call.payload["code"]
    (spoken,) = render_notification(call.kind, call.payload, "fr")
    assert f"Voici le code : {', '.join(code)}. Je répète : {', '.join(code)}." in spoken.text
    assert _linked_person_id(session, "6666") is None


def test_someone_elses_contact_card_does_not_link(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = _attacker(chat)
    for user_id in ("2002", None):  # a Telegram user's card, or a plain address-book card
        replies = tg.send(contact=Contact(phone=GERMAINE_MOBILE, user_id=user_id))
        assert replies[0].startswith("Cette fiche est celle d'une autre personne.")
    assert _linked_person_id(session, "6666") is None
    assert _codes_sent(session, GERMAINE_MOBILE) == []
    assert "Germaine" not in _everything_said(tg)


def test_own_contact_card_links_at_once(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    tg = chat(sender_id="2002", address="2002")
    tg.say("bonjour")
    tg.say("Germaine Roux")
    replies = tg.share_contact("0639980042")
    assert replies[1] == "Bonjour Germaine ! Ici Coup de main."
    assert _linked_person_id(session, "2002") == germaine.id
    assert _codes_sent(session, GERMAINE_MOBILE) == []


NEW_MOBILE = "+33611223344"  # nobody's


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _mallory(session: Session) -> Person:
    session.expire_all()
    mallory = find_by_contact(session, ContactKind.telegram, "6666")
    assert mallory is not None
    return mallory


def _phones_of(person: Person) -> list[tuple[str, bool]]:
    return [(c.value, c.verified) for c in person.contacts if c.kind == ContactKind.phone]


def _registers(tg: Chat) -> None:
    tg.say("8 rue inconnue")
    tg.say("oui")


def test_a_number_nobody_has_gets_a_code_in_the_same_words_as_a_residents(
    chat: Callable[..., Chat], session: Session, germaine: Person
) -> None:
    """So that a chat cannot tell which numbers are residents'."""
    on_hers = _attacker(chat)
    to_resident = on_hers.say("06 39 98 00 42")
    on_new = chat(sender_id="7777", address="7777", sender_name="Mallory")
    on_new.say("/start")
    on_new.say("Mallory Dupont")
    to_nobody = on_new.say("06 11 22 33 44")
    assert to_nobody == [t.replace("06 •• •• •• 42", "06 •• •• •• 44") for t in to_resident]
    assert to_nobody[0].startswith("Pour vérifier que ce numéro est bien le vôtre")
    assert on_new.choices() == on_hers.choices() == ["resend", "skip"]
    (sms,) = _codes_sent(session, NEW_MOBILE)
    assert (sms.channel, sms.kind, sms.person_id) == ("sms", "phone_code", None)
    assert len(sms.payload["code"]) == 6
    # A wrong code, then the limit: the same answers as for hers.
    (her_sms,) = _codes_sent(session, GERMAINE_MOBILE)
    on_hers.say(_wrong(her_sms.payload["code"]))
    on_new.say(_wrong(sms.payload["code"]))
    assert [r.text for r in on_new.last] == [
        t.replace("06 •• •• •• 42", "06 •• •• •• 44") for t in (r.text for r in on_hers.last)
    ]
    for tg in (on_hers, on_new):
        for _ in range(MAX_CODES_PER_HOUR - 1):
            tg.press("resend")
        tg.press("resend")
    assert on_new.last[0].text == on_hers.last[0].text
    assert on_new.last[0].text.startswith("Ce numéro a déjà reçu plusieurs codes.")
    assert len(_codes_sent(session, NEW_MOBILE)) == MAX_CODES_PER_HOUR
    # Nothing stored while the code is awaited.
    session.expire_all()
    assert find_by_contact(session, ContactKind.phone, NEW_MOBILE) is None


def test_skipping_the_code_of_a_new_number_registers_without_any_phone(
    chat: Callable[..., Chat], session: Session
) -> None:
    tg = _attacker(chat)
    tg.say("06 11 22 33 44")
    replies = tg.press("skip")
    assert replies[0] == "D'accord, continuons sans ce numéro."
    assert "adresse" in replies[-1].lower()
    _registers(tg)
    assert _phones_of(_mallory(session)) == []
    assert session.scalars(select(ContactPoint).where(ContactPoint.kind == "phone")).all() == []


def test_the_right_code_for_a_new_number_attaches_it_verified_to_the_new_person(
    chat: Callable[..., Chat], session: Session
) -> None:
    tg = _attacker(chat)
    tg.say("06 11 22 33 44")
    (sms,) = _codes_sent(session, NEW_MOBILE)
    replies = tg.say(sms.payload["code"])
    assert "adresse" in replies[-1].lower()
    _registers(tg)
    assert _phones_of(_mallory(session)) == [(NEW_MOBILE, True)]
    session.rollback()
    assert session.scalars(select(PhoneCode.status)).all() == ["used"]


def test_a_wrong_code_for_a_new_number_then_skip_keeps_no_phone(
    chat: Callable[..., Chat], session: Session
) -> None:
    tg = _attacker(chat)
    tg.say("06 11 22 33 44")
    (sms,) = _codes_sent(session, NEW_MOBILE)
    replies = tg.say(_wrong(sms.payload["code"]))
    assert replies[0] == "Ce code ne correspond pas. Il vous reste 2 essais."
    tg.press("skip")
    _registers(tg)
    assert _phones_of(_mallory(session)) == []


def _call_from(chat: Callable[..., Chat], number: str) -> tuple[Chat, list[str]]:
    phone = chat(channel="voice", address=number, sender_id=None, sender_name=None)
    return phone, phone.say("allô bonjour")


def _conversation_person(session: Session, channel: str, address: str) -> int | None:
    session.expire_all()
    person_id = session.scalar(
        select(Conversation.person_id).where(
            Conversation.channel == channel, Conversation.address == address
        )
    )
    session.rollback()
    return person_id


@pytest.mark.parametrize("then", ["skip", "wrong code"])
def test_a_number_typed_unproven_does_not_catch_its_owners_calls(
    chat: Callable[..., Chat], session: Session, then: str
) -> None:
    """The reverse route: Mallory types a number nobody has yet; when its real owner rings
    the hotline, she must not land in Mallory's account."""
    tg = _attacker(chat)
    tg.say("06 11 22 33 44")
    if then == "skip":
        tg.press("skip")
    else:
        (sms,) = _codes_sent(session, NEW_MOBILE)
        for _ in range(3):
            tg.say(_wrong(sms.payload["code"]))
        tg.press("skip")
    _registers(tg)
    tg.press("menu:request_help")
    mallory_id = _mallory(session).id
    session.rollback()
    phone, replies = _call_from(chat, NEW_MOBILE)
    assert replies[0] == "Bonjour ! Ici Coup de main, l'entraide entre voisins."
    assert "Mallory" not in "\n".join(replies)
    assert _conversation_person(session, "voice", NEW_MOBILE) is None
    # She registers as herself, with her number proven by the call.
    phone.say("je m'appelle Odette Martin")
    phone.say("quarante rue imaginaire")
    phone.say("oui")
    odette_id = _conversation_person(session, "voice", NEW_MOBILE)
    assert odette_id not in (None, mallory_id)
    owner = find_by_contact(session, ContactKind.phone, NEW_MOBILE)
    assert owner is not None and owner.id == odette_id
    assert _phones_of(owner) == [(NEW_MOBILE, True)]


def _legacy_typed_number(session: Session, number: str) -> int:
    """An account registered on Telegram before typed numbers needed the code: its Telegram
    id verified, the number it typed kept unverified."""
    mallory = make_resident(session, "Mallory Dupont", telegram_id=6666)
    for contact in mallory.contacts:
        contact.verified = True
    add_contact(session, mallory, ContactKind.phone, number, verified=False)
    make_request(session, mallory)
    session.commit()
    return mallory.id


def test_a_caller_is_not_matched_by_a_number_a_chat_once_typed_and_never_proved(
    chat: Callable[..., Chat], session: Session
) -> None:
    mallory_id = _legacy_typed_number(session, NEW_MOBILE)
    phone, replies = _call_from(chat, NEW_MOBILE)
    assert replies[0] == "Bonjour ! Ici Coup de main, l'entraide entre voisins."
    assert "Mallory" not in "\n".join(replies)
    phone.say("je m'appelle Odette Martin")
    phone.say("quarante rue imaginaire")
    phone.say("oui")
    odette_id = _conversation_person(session, "voice", NEW_MOBILE)
    assert odette_id not in (None, mallory_id)
    # Her call proved the number: it is hers now, and no longer on Mallory's account.
    owner = find_by_contact(session, ContactKind.phone, NEW_MOBILE)
    assert owner is not None and owner.id == odette_id
    assert _phones_of(owner) == [(NEW_MOBILE, True)]
    assert _phones_of(session.get_one(Person, mallory_id)) == []


def test_the_owner_proving_on_telegram_a_number_once_typed_by_another_gets_an_account_of_her_own(
    chat: Callable[..., Chat], session: Session
) -> None:
    mallory_id = _legacy_typed_number(session, NEW_MOBILE)
    tg = chat(sender_id="2002", address="2002", sender_name="Odette")
    tg.say("bonjour")
    tg.say("Odette Martin")
    tg.say("06 11 22 33 44")
    (sms,) = _codes_sent(session, NEW_MOBILE)
    assert sms.person_id is None  # not addressed as Mallory's
    replies = tg.say(sms.payload["code"])
    assert "Mallory" not in "\n".join(replies)
    _registers(tg)
    odette_id = _linked_person_id(session, "2002")
    assert odette_id not in (None, mallory_id)
    owner = find_by_contact(session, ContactKind.phone, NEW_MOBILE)
    assert owner is not None and owner.id == odette_id
    assert _phones_of(session.get_one(Person, mallory_id)) == []


def test_numbers_staff_entered_still_recognise_their_callers(
    chat: Callable[..., Chat], session: Session
) -> None:
    """Staff-entered numbers are unverified too (create_person), with or without a Telegram
    id beside them: their callers are recognised as before."""
    make_resident(session, "Marcel Petit", phone="04 65 71 89 39", telegram_id=4242)
    session.commit()
    _, replies = _call_from(chat, LANDLINE)
    assert replies[0] == "Bonjour Marcel ! Ici Coup de main."
