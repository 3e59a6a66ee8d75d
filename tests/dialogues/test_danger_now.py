"""An emergency is danger now: a fall last week or a sore knee with a request is a request;
a fall with no "now" is asked about first; a cry for help is answered at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.callbacks.models import CallbackTask
from backend.conversations.models import Conversation
from backend.requests.models import HelpRequest
from dialogues.danger import Danger, read_danger
from tests.dialogues.conftest import Chat
from tests.factories import make_helper, make_resident

EMERGENCY = (
    "C'est une urgence : appelez tout de suite le 15 (SAMU) ou le 112. "
    "En cas d'incendie, le 18. Je préviens aussi l'équipe de Coup de main."
)
EMERGENCY_EN = (
    "This is an emergency: call 15 (SAMU) or 112 right now. For a fire, 18. "
    "I am also alerting the Coup de main team."
)
# On a chat the team owes an answer, listed first in the console: within 30 minutes by day
# (the engine's clock: 10 h in Paris).
WRITE_BACK = (
    "Une personne de l'équipe vous écrira ici même, avant 10 h 30. "
    "Si vous êtes en danger, n'attendez pas : appelez le 15 ou le 112."
)
WRITE_BACK_EN = (
    "Someone from the team will write to you here, by 10:30 am. "
    "If you are in danger, do not wait: call 15 or 112."
)
DANGER_QUESTION = "Êtes-vous en danger maintenant ?"


def _jeanne(session: Session, language: str = "fr") -> None:
    make_resident(
        session,
        "Jeanne Martin",
        telegram_id=1001,
        lat=45.7745,
        lon=4.8320,
        language=language,
        phone="0478000001",
    )
    make_helper(session, services=["errands", "cleaning"], lat=45.7760, lon=4.8320)
    session.commit()


@dataclass(frozen=True)
class Seen:
    handled_by: str
    flags: list[str]
    flow: str | None
    step: str | None
    state: dict[str, Any]


def _conversation(session: Session) -> Seen:
    """The conversation as stored now; the read ends at once (SQLite: the engine's next
    turn needs the write lock)."""
    session.expire_all()
    c = session.scalars(select(Conversation)).one()
    seen = Seen(c.handled_by, list(c.flags), c.flow, c.step, dict(c.state))
    session.rollback()
    return seen


def _book_from_the_time_question(jeanne: Chat) -> list[str]:
    jeanne.press("time:tomorrow")
    jeanne.say("oui")  # at home
    jeanne.press("skip")
    jeanne.press("pay:volunteer")
    return jeanne.say("oui")


@pytest.mark.parametrize(
    ("sentence", "service"),
    [
        ("je suis tombée la semaine dernière, j'ai besoin d'aide pour le ménage", "cleaning"),
        ("je me suis fait mal au genou, il me faudrait quelqu'un pour les courses", "errands"),
        ("je suis tombée hier et j'ai besoin de quelqu'un pour les courses", "errands"),
    ],
)
def test_a_past_fall_or_a_sore_knee_with_a_request_books_the_request(
    chat: Callable[..., Chat], session: Session, sentence: str, service: str
) -> None:
    _jeanne(session)
    jeanne = chat()
    replies = jeanne.say(sentence)
    # The request goes on: its time is asked ("hier" was when she fell, not the errand's day).
    assert EMERGENCY not in replies and DANGER_QUESTION not in replies
    assert replies[-1].startswith("Pour quand ?")
    assert _book_from_the_time_question(jeanne)[-1].startswith("C'est noté !")
    request = session.scalars(select(HelpRequest)).one()
    assert request.service == service
    conversation = _conversation(session)
    assert conversation.handled_by == "bot" and "emergency" not in conversation.flags


def test_a_fall_last_week_in_english_goes_on_with_the_request(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session, language="en")
    jeanne = chat(language="en")
    replies = jeanne.say("i fell last week and i need help with the cleaning")
    assert replies[-1].startswith("When?")
    assert _conversation(session).handled_by == "bot"


@pytest.mark.parametrize(
    "sentence",
    [
        "au secours je suis tombée",
        "je suis tombée et je ne peux pas me relever",
        "je viens de tomber",
        "j'ai très mal à la poitrine",
        "ça sent le gaz",
        "il y a le feu dans la cuisine",
        "quelqu'un essaie d'entrer chez moi",
        "je suis tombée hier soir je suis toujours par terre",
        "euh je suis tombée la semaine dernière et là je peux plus me relever",
    ],
)
def test_danger_now_gets_the_emergency_answer_at_once(
    chat: Callable[..., Chat], session: Session, sentence: str
) -> None:
    _jeanne(session)
    jeanne = chat()
    assert jeanne.say(sentence) == [EMERGENCY, WRITE_BACK]
    conversation = _conversation(session)
    assert "emergency" in conversation.flags and conversation.handled_by == "waiting"


@pytest.mark.parametrize(
    "sentence",
    [
        "help i fell and i can't get up",
        "there is a fire in my kitchen",
        "i smell gas",
        "someone is trying to get in",
        "i have chest pain",
    ],
)
def test_danger_now_in_english_gets_the_emergency_answer_at_once(
    chat: Callable[..., Chat], session: Session, sentence: str
) -> None:
    _jeanne(session, language="en")
    jeanne = chat(language="en")
    assert jeanne.say(sentence) == [EMERGENCY_EN, WRITE_BACK_EN]
    assert "emergency" in _conversation(session).flags


@pytest.mark.parametrize("sentence", ["je suis tombée", "j'ai mal", "je me suis cassé la jambe"])
def test_a_fall_with_no_now_is_asked_about_and_yes_is_the_emergency(
    chat: Callable[..., Chat], session: Session, sentence: str
) -> None:
    _jeanne(session)
    jeanne = chat()
    assert jeanne.say(sentence) == [DANGER_QUESTION]
    assert jeanne.choices() == ["yes", "no"]
    conversation = _conversation(session)
    assert conversation.handled_by == "bot" and "emergency" not in conversation.flags
    assert jeanne.say("oui") == [EMERGENCY, WRITE_BACK]
    conversation = _conversation(session)
    assert "emergency" in conversation.flags and conversation.handled_by == "waiting"


def test_no_danger_goes_on_with_the_request_of_the_same_sentence(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    jeanne = chat()
    assert jeanne.say("je suis tombée, il me faudrait quelqu'un pour les courses demain matin") == [
        DANGER_QUESTION
    ]
    replies = jeanne.say("non")
    # The service and the time of the first sentence are kept: the place comes next.
    assert replies[0] == "D'accord, tant mieux."
    assert replies[-1].startswith("C'est à votre adresse")
    conversation = _conversation(session)
    assert conversation.handled_by == "bot" and "emergency" not in conversation.flags
    assert conversation.state["slots"]["service"] == "errands"


def test_no_danger_alone_offers_the_menu(chat: Callable[..., Chat], session: Session) -> None:
    _jeanne(session)
    jeanne = chat()
    jeanne.say("j'ai mal")
    replies = jeanne.say("non")
    assert replies[0] == "D'accord, tant mieux." and replies[-1] == "Que puis-je faire pour vous ?"


def test_a_fall_said_mid_request_then_no_danger_takes_the_request_up_where_it_was(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    jeanne = chat()
    jeanne.say("il me faudrait quelqu'un pour les courses")
    assert jeanne.say("je suis tombée") == [DANGER_QUESTION]
    replies = jeanne.say("non")
    assert replies[-1].startswith("Pour quand ?")
    assert _conversation(session).state["slots"]["service"] == "errands"
    jeanne.say("demain matin")
    assert _conversation(session).step == "place_home"


def test_on_the_phone_the_question_has_keypad_answers_and_key_two_goes_on(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    phone.send(silence=True)  # the call starts: the greeting and the menu
    assert phone.say("je suis tombée") == [DANGER_QUESTION]
    question = phone.last[-1]
    assert [(c.id, c.label, c.key) for c in question.choices] == [
        ("yes", "Oui", "1"),
        ("no", "Non", "2"),
    ]
    replies = phone.keys("2")
    assert replies[0] == "D'accord, tant mieux." and "emergency" not in _conversation(session).flags


def test_on_the_phone_key_one_is_the_emergency_and_puts_the_caller_through(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    phone.send(silence=True)
    phone.say("j'ai mal")
    assert phone.keys("1") == [EMERGENCY]
    assert phone.last[-1].handoff
    assert "emergency" in _conversation(session).flags


def test_on_the_phone_two_silences_are_taken_as_yes_and_the_caller_is_told(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    phone.send(silence=True)
    phone.say("je suis tombée")
    assert phone.send(silence=True) == ["Je ne vous ai pas entendu.", DANGER_QUESTION]
    assert phone.send(silence=True) == [
        "Je n'ai pas eu votre réponse. Par sécurité, je fais comme si vous étiez en danger.",
        EMERGENCY,
    ]
    assert phone.last[-1].handoff
    conversation = _conversation(session)
    assert "emergency" in conversation.flags and conversation.handled_by == "waiting"


def test_a_call_that_ends_at_the_danger_question_is_flagged_for_a_dispatcher(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    phone.send(silence=True)
    phone.say("je suis tombée")
    phone.press("call:ended:completed")
    conversation = _conversation(session)
    assert "emergency" in conversation.flags and conversation.handled_by == "waiting"
    # Someone must ring her back: an emergency call-back, the first in the console.
    (task,) = session.scalars(select(CallbackTask))
    assert (task.reason, task.phone, task.status) == ("emergency", "+33478000001", "open")


def test_words_that_are_neither_twice_are_taken_as_yes(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    jeanne = chat()
    jeanne.say("je suis tombée")
    assert jeanne.say("blblbl")[0] == "Pardon, je n'ai pas compris."
    assert jeanne.say("blblbl")[-2:] == [EMERGENCY, WRITE_BACK]


def test_a_stranger_who_fell_last_week_registers_with_no_emergency(
    chat: Callable[..., Chat], session: Session
) -> None:
    stranger = chat(address="2002", sender_id="2002", sender_name="Odette")
    replies = stranger.say("je suis tombée la semaine dernière, j'ai besoin d'aide pour le ménage")
    assert EMERGENCY not in replies and DANGER_QUESTION not in replies
    assert _conversation(session).flow == "registration"


def test_while_waiting_for_a_dispatcher_a_past_fall_is_not_an_emergency(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    jeanne = chat()
    jeanne.say("je voudrais parler à un opérateur")
    assert jeanne.say("je suis tombée la semaine dernière") == []
    assert "emergency" not in _conversation(session).flags
    assert jeanne.say("je suis tombée je ne peux plus me relever") == [EMERGENCY, WRITE_BACK]
    assert "emergency" in _conversation(session).flags


@pytest.mark.parametrize(
    ("sentence", "reading"),
    [
        ("je suis tombée l'an dernier", Danger.calm),
        ("je suis tombée il y a un mois", Danger.calm),
        ("I fell a few weeks ago", Danger.calm),
        ("j'ai mal au dos", Danger.calm),
        ("my knee hurts and i hurt my back", Danger.calm),
        ("j'ai très mal au genou", Danger.unsure),
        ("i fell", Danger.unsure),
        ("je suis tombée sur votre annonce", Danger.none),
        ("i fell asleep", Danger.none),
        ("j'ai du mal à porter mes courses", Danger.none),
        ("can someone help me with my shopping", Danger.none),
        ("il faudrait changer la pile de mon détecteur de fumée", Danger.none),
        ("au secours", Danger.now),
        ("help!", Danger.now),
        ("il ne respire plus", Danger.now),
        ("there's a gas leak", Danger.now),
    ],
)
def test_the_reading_of_danger_in_words(sentence: str, reading: Danger) -> None:
    assert read_danger(sentence) is reading
