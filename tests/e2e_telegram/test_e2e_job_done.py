"""A requester and two helpers on Telegram, from the first sentence to the rating."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer, OfferStatus
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.requests.models import HelpRequest, RequestStatus
from backend.trust.models import Rating
from tests.e2e_telegram.conftest import Bot, new_user, texts
from tests.factories import make_helper, make_resident


def _buttons(message: object) -> list[str]:
    return [data for row in message.buttons for _, data in row]  # type: ignore[attr-defined]


def test_a_request_goes_from_free_text_to_a_rated_job(bot: Bot, session: Session) -> None:
    jeanne, karim, sofia = new_user("Jeanne"), new_user("Karim"), new_user("Sofia")
    requester = make_resident(
        session, "Jeanne Martin", telegram_id=jeanne.id, lat=45.7745, lon=4.8320
    )
    home = requester.addresses[0].one_line()
    karim_id = make_helper(
        session, "Karim Haddad", telegram_id=karim.id, lat=45.7760, lon=4.8320
    ).id
    make_helper(session, "Sofia Benali", telegram_id=sofia.id, lat=45.7750, lon=4.8330)
    session.commit()
    session.close()  # from here on, every read is a short transaction of its own

    # The requester asks in her own words; service, day and place are read back.
    (question,) = bot.say(jeanne, "bonjour j'ai besoin de quelqu'un pour mes courses demain matin")
    assert question.text == f"C'est à votre adresse, {home} ?"
    assert question.buttons == [[("Oui", "yes"), ("Non", "no")]]
    assert texts(bot.say(jeanne, "oui")) == ["Dites-moi en quelques mots ce qu'il faut faire."]
    (pay,) = bot.say(jeanne, "du pain et mes médicaments à la pharmacie")
    (readback,) = bot.press(jeanne, pay, "pay:volunteer")
    assert readback.text == (
        f"Je récapitule. Des courses, demain matin, au {home}. Bénévole. "
        "Précision : du pain et mes médicaments à la pharmacie. C'est bien ça ?"
    )
    assert bot.reads(jeanne)[-2].buttons == []  # the pressed keyboard is spent
    (noted,) = bot.say(jeanne, "oui")
    assert noted.text.startswith("C'est noté ! Je cherche un voisin disponible.")

    # Both helpers are offered the job, with buttons and without the exact address.
    assert bot.deliver().sent == 2
    offers = {}
    for helper in (karim, sofia):
        (offer,) = bot.reads(helper)
        assert offer.text.startswith("Un voisin a besoin d'aide : des courses")
        assert "Presqu'île" in offer.text
        assert "rue de la République" not in offer.text
        assert [label for row in offer.buttons for label, _ in row] == [
            "J'accepte",
            "Je ne peux pas",
        ]
        offers[helper.id] = offer

    # Karim accepts first: the job is his, and his offer loses its buttons.
    accept = _buttons(offers[karim.id])[0]
    assert accept.startswith("offer:accept:")
    (answer,) = bot.press(karim, offers[karim.id], accept)  # the details come by the outbox
    assert answer.text == "Merci ! La mission est pour vous, les détails arrivent."
    assert bot.reads(karim)[0].buttons == []

    assert bot.deliver().sent == 3  # Karim's details, Jeanne's news, Sofia's withdrawal
    request = bot.one(select(HelpRequest))
    word = request.safety_word
    assert word and request.status == RequestStatus.assigned and request.helper_id == karim_id
    details = bot.reads(karim)[-1]
    assert details.text.startswith("C'est à vous ! Jeanne vous attend")
    assert home in details.text and f"« {word} »" in details.text
    assert _buttons(details) == [f"job:done:{request.id}"]
    news = bot.reads(jeanne)[-1]
    assert news.text.startswith("Bonne nouvelle : Karim va venir vous aider")
    assert f"« {word} »" in news.text and "Haddad" not in news.text
    assert bot.reads(sofia)[-1].text == (
        f"Merci ! Un autre voisin s'occupe déjà de la demande n°{request.id}."
    )

    # Sofia presses Accept too late: a clear answer, and nothing changes.
    (late,) = bot.press(sofia, offers[sofia.id], _buttons(offers[sofia.id])[0])
    assert late.text.startswith("Merci ! Quelqu'un d'autre a été plus rapide")
    assert bot.one(select(HelpRequest.helper_id)) == karim_id

    # Karim reports the job done; Jeanne is asked for a rating and gives five stars.
    assert texts(bot.press(karim, details, f"job:done:{request.id}")) == ["Avec plaisir !"]
    assert bot.one(select(HelpRequest.status)) == RequestStatus.done
    assert bot.deliver().sent == 1
    ask = bot.reads(jeanne)[-1]
    assert ask.text.startswith("Karim vous a donné un coup de main.")
    assert _buttons(ask) == [f"rate:{request.id}:{n}" for n in range(1, 6)]
    assert texts(bot.press(jeanne, ask, f"rate:{request.id}:5")) == ["Merci pour votre note !"]

    rating = bot.one(select(Rating))
    assert (rating.request_id, rating.stars, rating.ratee_id) == (request.id, 5, karim_id)
    assert sorted(bot.rows(select(Offer.status))) == [OfferStatus.accepted, OfferStatus.withdrawn]
    assert bot.rows(select(OutboxMessage).where(OutboxMessage.status != OutboxStatus.sent)) == []


def test_a_rating_can_also_be_said_in_words(bot: Bot, session: Session) -> None:
    jeanne, karim = new_user("Jeanne"), new_user("Karim")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    make_helper(session, "Karim Haddad", telegram_id=karim.id)
    session.commit()
    session.close()
    bot.say(jeanne, "il me faudrait quelqu'un pour les courses demain matin")
    bot.say(jeanne, "oui")
    bot.press(jeanne, bot.say(jeanne, "des bouteilles d'eau")[-1], "pay:volunteer")
    bot.say(jeanne, "oui")
    bot.deliver()
    offer = bot.reads(karim)[-1]
    bot.press(karim, offer, _buttons(offer)[0])
    bot.deliver()
    details = bot.reads(karim)[-1]
    bot.press(karim, details, _buttons(details)[0])

    assert texts(bot.say(jeanne, "je mets 5 étoiles")) == ["Merci pour votre note !"]
    assert bot.rows(select(Rating.stars)) == [5]
