"""What a caller hears read back: their words without fillers or brackets, the house number
kept; what is stored stays as they said it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.requests.models import HelpRequest
from tests.dialogues.conftest import Chat
from tests.factories import make_resident


def _caller(chat: Callable[..., Chat], session: Session) -> Chat:
    make_resident(session, "Germaine Roux", phone="0478000001")
    session.commit()
    phone = chat(channel="voice", address="+33478000001", sender_id=None)
    phone.send(silence=True)
    return phone


def test_voice_read_back_drops_fillers_and_brackets_and_keeps_the_house_number(
    chat: Callable[..., Chat], session: Session
) -> None:
    phone = _caller(chat, session)
    phone.say("euh bonjour alors il me faudrait quelqu'un pour faire mes courses demain matin")
    phone.say("non")
    phone.say("euh j'habite au 5 bis rue d'Ivry")
    said = "ben euh du pain (complet) et bon, des yaourts voilà"
    phone.say(said)
    replies = phone.keys("3")  # the time bank
    assert replies[-1] == (
        "Je récapitule. Des courses, demain matin, au 5 bis rue d'Ivry. Payé en temps. "
        "Précision : du pain et des yaourts. C'est bien ça ?"
    )
    phone.keys("1")
    request = session.scalars(select(HelpRequest)).one()
    assert (request.details, request.place_text) == (said, "5 bis rue d'Ivry")  # as said


def test_voice_read_back_keeps_a_house_number_said_in_words(
    chat: Callable[..., Chat], session: Session
) -> None:
    phone = _caller(chat, session)
    phone.say("il me faudrait de l'aide pour mes courses demain matin")
    phone.say("non")
    phone.say("c'est au cinq rue d'ivry")
    phone.keys("#")
    replies = phone.keys("1")
    assert replies[-1] == (
        "Je récapitule. Des courses, demain matin, au 5 rue d'ivry. Bénévole. C'est bien ça ?"
    )
