from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.outbox.models import OutboxMessage
from backend.requests.models import HelpRequest
from dialogues.engine import Engine
from tests.dialogues.conftest import Chat
from tests.factories import make_helper, make_resident


def _known_resident(session: Session, telegram_id: str = "1001") -> str:
    """Jeanne, on Telegram; returns her home address as the bot reads it back."""
    jeanne = make_resident(
        session, "Jeanne Martin", telegram_id=int(telegram_id), lat=45.7745, lon=4.8320
    )
    session.commit()
    return jeanne.addresses[0].one_line()


def test_first_sentence_fills_service_and_time(chat: Callable[..., Chat], session: Session) -> None:
    home = _known_resident(session)
    jeanne = chat()
    replies = jeanne.say(
        "euh bonjour j'aurais besoin de quelqu'un pour faire mes courses demain matin"
    )
    assert replies[-1].startswith("C'est à votre adresse")
    jeanne.say("oui")
    jeanne.say("du pain et mes médicaments à la pharmacie")
    replies = jeanne.press("pay:volunteer")
    assert replies[-1] == (
        f"Je récapitule. Des courses, demain matin, au {home}. "
        "Bénévole. Précision : du pain et mes médicaments à la pharmacie. C'est bien ça ?"
    )


def test_correction_at_the_read_back_changes_the_time(
    chat: Callable[..., Chat], session: Session
) -> None:
    _known_resident(session)
    jeanne = chat()
    jeanne.say("j'ai besoin d'aide pour mes courses demain matin")
    jeanne.say("oui")
    jeanne.press("skip")
    jeanne.press("pay:volunteer")
    replies = jeanne.say("non, plutôt jeudi")
    assert "jeudi 26 novembre" in replies[-1] and replies[-1].startswith(
        "Je récapitule. Des courses"
    )
    assert "demain" not in replies[-1]


def test_confirmed_request_is_stored_and_offered_to_nearby_helpers(
    chat: Callable[..., Chat], session: Session
) -> None:
    _known_resident(session)
    karim = make_helper(
        session, "Karim Haddad", services=["errands"], telegram_id=3003, lat=45.7760, lon=4.8320
    )
    session.commit()
    jeanne = chat()
    jeanne.say("il me faudrait quelqu'un pour les courses demain matin")
    jeanne.say("oui")
    jeanne.press("skip")
    jeanne.press("pay:volunteer")
    replies = jeanne.say("oui")
    assert replies[-1].startswith("C'est noté ! Je cherche un voisin disponible.")
    request = session.scalars(select(HelpRequest)).one()
    assert (request.service, request.status, request.channel) == ("errands", "offered", "telegram")
    offer = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "offer", OutboxMessage.person_id == karim.id
        )
    ).one()
    assert offer.channel == "telegram" and offer.address == "3003"
    assert "rue de la République" not in str(offer.payload)  # no exact address before assignment


def test_keypad_only_caller_books_a_request(chat: Callable[..., Chat], session: Session) -> None:
    make_resident(session, "Germaine Roux", phone="0478000001")
    make_helper(session, services=["errands"])
    session.commit()
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    phone.send(silence=True)
    for digits in (
        "1",
        "1",
        "2",
        "1",
        "1",
        "#",
        "1",
    ):  # menu, service, tomorrow, morning, at home, skip, volunteer
        replies = phone.keys(digits)
    assert replies[-1].startswith("Je récapitule. Des courses, demain matin")
    replies = phone.keys("1")
    assert replies[-1].startswith("C'est noté !")


def test_a_restart_mid_flow_resumes_where_it_stopped(
    make_engine: Callable[..., Engine], session: Session
) -> None:
    _known_resident(session)
    first = Chat(engine=make_engine())
    first.say("je voudrais de l'aide pour mon jardin samedi")
    first.say("oui")
    # A new process: nothing in memory survives, only the database.
    second = Chat(engine=make_engine(), _ids=first._ids)
    replies = second.say("tailler la haie")
    assert replies[-1] == "Est-ce un coup de main bénévole, ou proposez-vous un paiement ?"


def test_a_retried_message_is_answered_the_same_and_counted_once(
    chat: Callable[..., Chat], session: Session
) -> None:
    _known_resident(session)
    jeanne = chat()
    first = jeanne.send(text="je voudrais de l'aide pour mes courses", external_id="tg:42")
    again = jeanne.send(text="je voudrais de l'aide pour mes courses", external_id="tg:42")
    assert again == first and jeanne.history[-1].duplicate
    conversation = session.scalars(select(Conversation)).one()
    assert conversation.step == "time"


def test_emergency_interrupts_any_flow(chat: Callable[..., Chat], session: Session) -> None:
    _known_resident(session)
    jeanne = chat()
    jeanne.say("j'ai besoin d'aide pour mes courses")
    replies = jeanne.say("au secours je suis tombée je ne peux plus me relever")
    assert replies == [
        "C'est une urgence : appelez tout de suite le 15 (SAMU) ou le 112. "
        "En cas d'incendie, le 18. Je préviens aussi l'équipe de Coup de main.",
        "Une personne de l'équipe vous écrira ici même, avant 10 h 30. "
        "Si vous êtes en danger, n'attendez pas : appelez le 15 ou le 112.",
    ]
    conversation = session.scalars(select(Conversation)).one()
    assert "emergency" in conversation.flags and conversation.handled_by == "waiting"


def test_two_misunderstandings_in_a_row_hand_over_and_the_bot_falls_silent(
    chat: Callable[..., Chat], session: Session
) -> None:
    _known_resident(session)
    jeanne = chat()
    jeanne.say("j'ai besoin d'aide pour mes courses")
    jeanne.say("oui")  # not a time
    replies = jeanne.say("blblbl")
    assert "Je préviens une personne de l'équipe" in replies[-1]
    assert jeanne.say("allô ?") == []
    assert jeanne.history[-1].silent
    conversation = session.scalars(select(Conversation)).one()
    assert "misunderstood_twice" in conversation.flags


def test_garbage_and_oversized_input_get_a_clear_answer(
    chat: Callable[..., Chat], session: Session
) -> None:
    _known_resident(session)
    jeanne = chat()
    assert jeanne.say("\x00\x01\ufffd" * 50)
    replies = jeanne.say("courses " * 5000)
    assert replies and all(len(r) < 2000 for r in replies)


def test_describing_the_task_is_not_mistaken_for_an_emergency(
    chat: Callable[..., Chat], session: Session
) -> None:
    _known_resident(session)
    jeanne = chat()
    jeanne.say("j'ai besoin de quelqu'un pour mes courses demain matin")
    jeanne.say("oui")
    replies = jeanne.say("du pain et mes médicaments")
    assert replies[-1] == "Est-ce un coup de main bénévole, ou proposez-vous un paiement ?"
    # ...while the emergency words still interrupt there.
    replies = jeanne.say("au secours je suis tombée")
    assert replies[0].startswith("C'est une urgence")
