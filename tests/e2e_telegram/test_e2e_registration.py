"""A newcomer on Telegram: name, number by the contact button, address; then their request."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.people.models import ContactKind, Person
from tests.e2e_telegram.conftest import Bot, new_user, texts
from tests.factories import make_resident


def test_a_newcomer_registers_with_the_contact_button_and_their_request_resumes(
    bot: Bot, session: Session
) -> None:
    neighbour = make_resident(session, "Voisine du 3", lat=45.7781, lon=4.8290)
    neighbour.addresses[0].street = "3 rue Dumenge"  # the street is known to the gazetteer
    session.commit()
    session.close()
    jeanne = new_user("Jeanne")

    replies = bot.say(jeanne, "bonjour j'ai besoin de quelqu'un pour mes courses demain matin")
    assert texts(replies) == [
        "Bonjour ! Ici Coup de main, l'entraide entre voisins.",
        "Comment vous appelez-vous ? Votre prénom et votre nom, s'il vous plaît.",
    ]

    (ask_phone,) = bot.say(jeanne, "Jeanne Martin")
    assert ask_phone.text.startswith("Pour vous joindre, partagez votre numéro")
    assert ask_phone.keyboard == [
        [{"text": "📱 Partager mon numéro", "request_contact": True}],
        [{"text": "Passer"}],
    ]

    (ask_address,) = bot.share_contact(jeanne, "+33639980042")
    assert ask_address.text.startswith("Quelle est votre adresse ?")
    assert ask_address.keyboard == [[{"text": "📍 Envoyer ma position", "request_location": True}]]

    (readback,) = bot.say(jeanne, "12 rue dumenge")
    assert readback.text == "J'ai compris : 12 rue Dumenge, 69002 Lyon. C'est bien ça ?"

    done, resumed = bot.say(jeanne, "oui")
    assert done.text == "Merci Jeanne, votre inscription est faite."
    assert done.removes_keyboard  # the share buttons go away
    # What she asked first goes on: service and day are known, the place is asked.
    assert resumed.text == "C'est à votre adresse, 12 rue Dumenge, 69002 Lyon ?"
    assert resumed.buttons == [[("Oui", "yes"), ("Non", "no")]]
    assert texts(bot.press(jeanne, resumed, "yes")) == [
        "Dites-moi en quelques mots ce qu'il faut faire."
    ]

    conversation = bot.conversation(jeanne)
    assert (conversation.flow, conversation.step) == ("request_help", "details")
    with bot.factory() as s:
        person = s.get_one(Person, conversation.person_id)
        assert person.display_name == "Jeanne Martin"
        assert person.contact(ContactKind.telegram) == str(jeanne.id)
        assert person.contact(ContactKind.phone) == "+33639980042"
        home = person.primary_address
        assert home is not None and home.street == "12 rue Dumenge" and home.lat is not None
