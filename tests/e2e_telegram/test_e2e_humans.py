"""When a human is needed: a dispatcher takes over and hands back; an emergency."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from tests.e2e_telegram.conftest import Bot, new_user, texts
from tests.factories import make_resident

Login = Callable[[int], dict[str, str]]
EMERGENCY = (
    "C'est une urgence : appelez tout de suite le 15 (SAMU) ou le 112. En cas d'incendie, "
    "le 18. Je préviens aussi l'équipe de Coup de main."
)
# The team owes an answer within 30 minutes, on the quarter hour (the clock: 10 h in Paris).
WRITE_BACK = (
    "Une personne de l'équipe vous écrira ici même, avant 10 h 45. "
    "Si vous êtes en danger, n'attendez pas : appelez le 15 ou le 112."
)


def _dispatcher(session: Session) -> int:
    nadia = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    return nadia.id


def test_a_dispatcher_takes_over_writes_in_telegram_and_hands_back(
    bot: Bot, session: Session, login_as: Login
) -> None:
    jeanne = new_user("Jeanne")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    nadia = _dispatcher(session)
    session.commit()
    session.close()
    headers = login_as(nadia)
    api = bot.client

    assert texts(bot.say(jeanne, "je voudrais parler à quelqu'un")) == [
        "Je préviens une personne de l'équipe. Elle vous répondra ici même, avant 12 h."
    ]
    listed = api.get("/api/v1/conversations", headers=headers).json()["items"]
    assert listed[0]["person_name"] == "Jeanne Martin"
    assert "asked_for_human" in listed[0]["flags"]
    url = f"/api/v1/conversations/{listed[0]['id']}"

    assert api.post(f"{url}/take-over", headers=headers).status_code == 200
    # The bot stays silent while the dispatcher has the conversation...
    assert bot.say(jeanne, "vous êtes là ?") == []
    assert bot.say(jeanne, "je voudrais de l'aide pour mes courses") == []
    # ...and what the dispatcher writes reaches Jeanne in Telegram.
    written = api.post(
        f"{url}/messages",
        headers=headers,
        json={"text": "Bonjour Jeanne, c'est Nadia. Je m'occupe de vous."},
    )
    assert written.status_code == 201
    assert bot.deliver().sent == 1
    assert bot.reads(jeanne)[-1].text == "Bonjour Jeanne, c'est Nadia. Je m'occupe de vous."

    transcript = api.get(url, headers=headers).json()["messages"]
    said = [m["text"] for m in transcript if m["author"] == "person"]
    assert said[-2:] == ["vous êtes là ?", "je voudrais de l'aide pour mes courses"]
    assert transcript[-1]["author"] == "dispatcher"

    assert api.post(f"{url}/hand-back", headers=headers).status_code == 200
    assert bot.deliver().sent == 1
    assert bot.reads(jeanne)[-1].text == (
        "Je reprends la conversation. Que puis-je faire pour vous ?"
    )
    # The bot answers again.
    assert texts(bot.say(jeanne, "je voudrais savoir où en est ma demande")) == [
        "Vous n'avez pas de demande en cours."
    ]
    conversation = bot.conversation(jeanne)
    assert conversation.handled_by == "bot" and "asked_for_human" not in conversation.flags


def test_an_emergency_is_told_to_call_15_or_112_and_flagged_first_for_dispatchers(
    bot: Bot, session: Session, login_as: Login
) -> None:
    jeanne, stranger = new_user("Jeanne"), new_user("Odette")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    nadia = _dispatcher(session)
    session.commit()
    session.close()

    bot.say(stranger, "bonjour")  # an ordinary conversation, for the console's order
    bot.say(jeanne, "j'ai besoin d'aide pour mes courses")
    assert texts(bot.say(jeanne, "je suis tombée je ne peux plus me relever")) == [
        EMERGENCY,
        WRITE_BACK,
    ]

    conversation = bot.conversation(jeanne)
    assert "emergency" in conversation.flags
    assert (conversation.handled_by, conversation.flow) == ("waiting", None)
    listed = bot.client.get("/api/v1/conversations", headers=login_as(nadia)).json()["items"]
    assert listed[0]["id"] == conversation.id and listed[0]["urgency"] == 0
    # Waiting for a person, the bot says nothing more, except to another cry for help.
    assert bot.say(jeanne, "allô ?") == []
    assert texts(bot.say(jeanne, "au secours")) == [EMERGENCY, WRITE_BACK]


def test_a_stranger_in_an_emergency_is_not_asked_to_register_first(bot: Bot) -> None:
    odette = new_user("Odette")
    assert texts(bot.say(odette, "au secours je suis tombée")) == [EMERGENCY, WRITE_BACK]
    assert "emergency" in bot.conversation(odette).flags
