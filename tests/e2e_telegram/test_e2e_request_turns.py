"""The request conversation over Telegram: a correction, a restart, a retried update."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.conversations.models import ConversationMessage
from backend.requests.models import HelpRequest
from dialogues.wording import PARIS
from tests.e2e_telegram.conftest import Bot, new_user, texts
from tests.factories import make_helper, make_resident

ASK_PAY = "Est-ce un coup de main bénévole, ou proposez-vous un paiement ?"


def test_a_correction_at_the_read_back_changes_the_day(bot: Bot, session: Session) -> None:
    jeanne, karim = new_user("Jeanne"), new_user("Karim")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    make_helper(session, "Karim Haddad", telegram_id=karim.id)
    session.commit()
    session.close()

    bot.say(jeanne, "j'ai besoin d'aide pour mes courses demain matin")
    (details,) = bot.say(jeanne, "oui")
    (pay,) = bot.press(jeanne, details, "skip")
    (readback,) = bot.press(jeanne, pay, "pay:volunteer")
    assert readback.text.startswith("Je récapitule. Des courses, demain matin, au ")

    (again,) = bot.say(jeanne, "non, plutôt jeudi")
    assert again.text.startswith("Je récapitule. Des courses, jeudi ")
    assert "demain" not in again.text
    assert again.buttons == [[("Oui", "yes"), ("Non", "no")]]
    (noted,) = bot.press(jeanne, again, "yes")
    assert noted.text.startswith("C'est noté !")

    request = bot.one(select(HelpRequest))
    assert request.window_start is not None
    assert request.window_start.astimezone(PARIS).strftime("%A") == "Thursday"
    bot.deliver()
    (offer,) = bot.reads(karim)
    assert "jeudi" in offer.text and "demain" not in offer.text


def test_a_restart_mid_conversation_resumes_where_it_stopped(
    start_bot: Callable[[], Bot], session: Session
) -> None:
    jeanne = new_user("Jeanne")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    session.commit()
    session.close()

    first = start_bot()
    first.say(jeanne, "je voudrais de l'aide pour mon jardin samedi")
    first.say(jeanne, "oui")
    (pay,) = first.say(jeanne, "tailler la haie")
    assert pay.text == ASK_PAY
    first.stop()  # the process ends; only the database remembers
    stored = first.conversation(jeanne)
    assert (stored.flow, stored.step) == ("request_help", "pay")

    second = start_bot()
    # A button sent by the old process, pressed after the restart.
    (readback,) = second.press(jeanne, pay, "pay:volunteer")
    assert readback.text.startswith("Je récapitule. Du jardinage, samedi ")
    assert "Précision : tailler la haie." in readback.text
    assert texts(second.say(jeanne, "oui"))[0].startswith("C'est noté !")
    assert requests_in(second) == [("gardening", "tailler la haie")]


def test_a_retried_update_is_answered_once_and_stored_once(bot: Bot, session: Session) -> None:
    jeanne = new_user("Jeanne")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    session.commit()
    session.close()
    update = bot.fake.text_update(jeanne, "je voudrais de l'aide pour mes courses")

    assert bot.post(update).status_code == 200
    assert bot.post(update).status_code == 200  # Telegram sends it again

    assert texts(bot.reads(jeanne)) == [
        "Pour quand ? Par exemple : demain matin, ou samedi vers 14 heures."
    ]
    incoming = [m for m in bot.transcript(jeanne) if m.direction == "in"]
    assert [m.external_id for m in incoming] == [f"tg:{update['update_id']}"]
    assert bot.conversation(jeanne).step == "time"


def test_a_retry_racing_the_original_changes_nothing_twice(bot: Bot, session: Session) -> None:
    jeanne = new_user("Jeanne")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    session.commit()
    session.close()
    update = bot.fake.text_update(jeanne, "je voudrais de l'aide pour mes courses")
    responses: list[httpx.Response] = []

    def post() -> None:
        responses.append(bot.post(update))

    racers = [threading.Thread(target=post) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)

    assert [r.status_code for r in responses] == [200, 200]
    assert len(bot.reads(jeanne)) == 1
    count = select(func.count()).select_from(ConversationMessage)
    assert bot.one(count.where(ConversationMessage.direction == "in")) == 1
    assert bot.one(count.where(ConversationMessage.direction == "out")) == 1


def test_a_retried_accept_assigns_once_and_sends_the_details_once(
    bot: Bot, session: Session
) -> None:
    jeanne, karim = new_user("Jeanne"), new_user("Karim")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    make_helper(session, "Karim Haddad", telegram_id=karim.id)
    session.commit()
    session.close()
    bot.say(jeanne, "il me faudrait quelqu'un pour les courses demain matin")
    (details,) = bot.say(jeanne, "oui")
    bot.press(jeanne, bot.press(jeanne, details, "skip")[0], "pay:volunteer")
    bot.say(jeanne, "oui")
    bot.deliver()
    (offer,) = bot.reads(karim)
    press = bot.fake.callback_update(karim, offer, offer.buttons[0][0][1])

    assert bot.post(press).status_code == 200
    assert bot.post(press).status_code == 200

    assert bot.deliver().sent == 2  # one message for Karim, one for Jeanne
    assert len(bot.reads(karim)) == 3  # the offer, "la mission est pour vous" once, the details
    assert bot.reads(karim)[-1].text.startswith("C'est à vous ! Jeanne vous attend")
    assert sum("va venir vous aider" in t for t in texts(bot.reads(jeanne))) == 1
    assert len(bot.rows(select(HelpRequest.helper_id))) == 1


def requests_in(bot: Bot) -> list[tuple[str, str]]:
    return [(r.service, r.details) for r in bot.rows(select(HelpRequest))]
