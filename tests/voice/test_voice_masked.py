"""Masked numbers: helper and requester reach each other through the hotline number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.people.models import ContactKind
from backend.requests.models import RequestEvent
from tests.voice.conftest import HOTLINE, Line
from tests.voice.voice_data import assigned, germaine, karim


def test_a_helper_with_a_job_under_way_is_put_through_to_the_requester(
    line: Line, session: Session
) -> None:
    requester, helper = germaine(session), karim(session)
    request = assigned(session, requester, helper, line.clock())
    helper_phone = helper.contact(ContactKind.phone) or ""
    requester_phone = requester.contact(ContactKind.phone) or ""

    call = line.call(helper_phone)
    heard = call.start()
    assert heard.said[0] == "Bonjour Karim ! Ici Coup de main."
    assert heard.said[1].startswith("Vous avez une aide prévue : des courses, dès que possible")
    assert heard.said[1].endswith("avec Germaine. Voulez-vous parler à Germaine ?")
    heard = call.answer(digits="1")
    assert heard.said == [
        "Je vous mets en relation avec Germaine. Votre numéro ne sera pas montré. Restez en ligne."
    ]
    assert heard.dialled == [requester_phone]
    assert heard.dial is not None and heard.dial["callerId"] == HOTLINE  # hers sees the hotline
    assert requester_phone not in heard.text
    events = line.rows(select(RequestEvent).where(RequestEvent.request_id == request.id))
    assert [e.note for e in events if e.kind == "masked_call"] == ["call from helper"]
    # The conversation stays the bot's: no dispatcher is needed for this.
    assert line.conversation(helper_phone).handled_by == "bot"
    assert call.after_dial("completed").hung_up


def test_the_requester_reaches_her_helper_by_saying_yes(line: Line, session: Session) -> None:
    requester, helper = germaine(session), karim(session)
    assigned(session, requester, helper, line.clock())
    call = line.call(requester.contact(ContactKind.phone) or "")
    call.start()
    heard = call.answer(speech="oui je veux bien")
    assert heard.dialled == [helper.contact(ContactKind.phone)]
    # Nobody answers: she is told when someone of the team calls her back, and may go on.
    heard = call.after_dial("no-answer")
    assert heard.said[0].startswith("La personne ne répond pas pour le moment. Quelqu'un de")
    assert not heard.hung_up


def test_a_caller_who_calls_about_something_else_gets_the_menu(
    line: Line, session: Session
) -> None:
    requester, helper = germaine(session), karim(session)
    assigned(session, requester, helper, line.clock())
    call = line.call(requester.contact(ContactKind.phone) or "")
    call.start()
    heard = call.answer(digits="2")
    assert heard.said[0] == "Que puis-je faire pour vous ?" and not heard.dialled


def test_without_a_job_under_way_nobody_is_put_through(line: Line, session: Session) -> None:
    helper = karim(session)
    session.commit()
    heard = line.call(helper.contact(ContactKind.phone) or "").start()
    assert heard.said[1] == "Que puis-je faire pour vous ?" and not heard.dialled
