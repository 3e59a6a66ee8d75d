from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.people.models import ContactKind, Person
from backend.people.service import find_by_contact
from tests.dialogues.conftest import Chat
from tests.factories import make_resident


def test_stranger_on_telegram_registers_then_their_first_request_resumes(
    chat: Callable[..., Chat], session: Session
) -> None:
    neighbour = make_resident(session, "Voisine du 3", lat=45.7781, lon=4.8290)
    neighbour.addresses[0].street = "3 rue Dumenge"  # so the street is known to the gazetteer
    session.commit()

    jeanne = chat()
    replies = jeanne.say("bonjour j'ai besoin de quelqu'un pour mes courses demain matin")
    assert replies[0].startswith("Bonjour ! Ici Coup de main")
    assert "Comment vous appelez-vous" in replies[-1]
    replies = jeanne.say("Jeanne Martin")
    assert "partagez votre numéro" in replies[-1]
    assert jeanne.last[-1].expect == "contact"
    replies = jeanne.share_contact("+33639980042")
    assert "adresse" in replies[-1].lower()
    replies = jeanne.say("12 rue dumenge")
    assert replies[-1] == "J'ai compris : 12 rue Dumenge, 69002 Lyon. C'est bien ça ?"
    replies = jeanne.say("oui")
    assert "Merci Jeanne, votre inscription est faite." in replies
    # What she first asked is resumed with what she already said: service and time are known.
    assert replies[-1].startswith("C'est à votre adresse, 12 rue Dumenge")

    person = find_by_contact(session, ContactKind.telegram, "1001")
    assert person is not None and person.display_name == "Jeanne Martin"
    assert person.contact(ContactKind.phone) == "+33639980042"
    assert person.primary_address is not None and person.primary_address.lat is not None


def test_shared_number_of_a_hotline_caller_links_the_same_person(
    chat: Callable[..., Chat], session: Session
) -> None:
    germaine = make_resident(session, "Germaine Roux", phone="04 78 00 00 01")
    session.commit()
    tg = chat(sender_id="2002", address="2002")
    tg.say("bonjour")
    tg.say("Germaine Roux")
    replies = tg.share_contact("0478000001")
    assert "je vous reconnaîtrai aussi au téléphone" in replies[0]
    assert replies[1] == "Bonjour Germaine ! Ici Coup de main."
    session.expire_all()
    assert find_by_contact(session, ContactKind.telegram, "2002").id == germaine.id  # type: ignore[union-attr]
    assert (
        session.scalar(select(Conversation.person_id).where(Conversation.address == "2002"))
        == germaine.id
    )
    assert len(session.scalars(select(Person)).all()) == 1


def test_someone_elses_contact_card_is_not_proof_of_a_number(chat: Callable[..., Chat]) -> None:
    from dialogues.messages import Contact

    tg = chat()
    tg.say("salut")
    tg.say("Paul Durand")
    replies = tg.send(contact=Contact(phone="+33639980099", user_id="777"))
    assert replies[0].startswith("Cette fiche est celle d'une autre personne.")
    assert replies[1].startswith("Pour vous joindre, partagez votre numéro")


def test_known_caller_is_greeted_by_name_and_not_registered_again(
    chat: Callable[..., Chat], session: Session
) -> None:
    make_resident(session, "Germaine Roux", phone="04 78 00 00 01")
    session.commit()
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    replies = phone.say("allô bonjour")
    assert replies[0] == "Bonjour Germaine ! Ici Coup de main."
    assert "Que puis-je faire pour vous" in replies[-1]


def test_unknown_caller_registers_on_the_phone_with_a_read_back(
    chat: Callable[..., Chat], session: Session
) -> None:
    phone = chat(channel="voice", address="+33478000002", sender_id=None)
    phone.say("allô")
    replies = phone.say("euh je m'appelle Marcel Petit")
    assert "adresse" in replies[-1]
    replies = phone.say("quarante rue imaginaire")
    assert replies[-1].startswith("J'ai compris : 40 rue imaginaire")
    replies = phone.say("oui c'est ça")
    assert any("une personne de l'équipe la vérifiera" in r for r in replies)
    marcel = find_by_contact(session, ContactKind.phone, "+33478000002")
    assert marcel is not None and marcel.display_name == "Marcel Petit"
    assert "address_to_verify" in session.scalars(select(Conversation)).one().flags


def test_a_newcomer_who_starts_with_their_request_is_asked_their_name_and_it_is_kept(
    chat: Callable[..., Chat], session: Session
) -> None:
    tg = chat()
    tg.say("/start")
    replies = tg.say("bonjour j'ai besoin de quelqu'un pour faire mes courses demain matin")
    assert replies == ["Je note votre demande. D'abord, comment vous appelez-vous ?"]
    tg.say("Nadia Arnaud")
    tg.press("skip")
    tg.say("8 rue inconnue")
    replies = tg.say("oui")
    # The request resumes with service and time already known: next is the place.
    assert replies[-1].startswith("C'est à votre adresse, 8 rue inconnue")
