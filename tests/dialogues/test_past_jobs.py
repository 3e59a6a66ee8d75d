"""Only jobs still to come (or under way) are announced; one reported as a no-show is told
as such: what happens now, not a coming visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.dispatch.service import DispatchPolicy, accept_offer, start_dispatch
from backend.people.models import Person
from backend.requests.models import HelpRequest
from backend.trust.models import Report
from backend.trust.service import report
from tests.dialogues.conftest import NOW, Chat
from tests.factories import make_helper, make_request, make_resident

YESTERDAY_2PM = NOW.replace(hour=13) - timedelta(days=1)  # Saturday 21 November, 14:00 in Paris
TOMORROW_2PM = NOW.replace(hour=13) + timedelta(days=1)


def _job_at(session: Session, start: datetime) -> tuple[Person, Person, HelpRequest]:
    """Germaine (landline, Telegram 1001) and Karim (mobile): a two-hour job at `start`,
    which Karim accepted two days before."""
    germaine = make_resident(session, "Germaine Roux", phone="0478000011", telegram_id=1001)
    karim = make_helper(session, "Karim Haddad", phone="0639000011")
    request = make_request(
        session, germaine, window_start=start, window_end=start + timedelta(hours=2)
    )
    booked = start - timedelta(days=2)
    start_dispatch(session, request, DispatchPolicy(), booked)
    offer = session.scalars(select(Offer).where(Offer.helper_id == karim.id)).one()
    accept_offer(session, offer.id, karim.id, booked + timedelta(minutes=5))
    session.commit()
    return germaine, karim, request


def _call(chat: Callable[..., Chat]) -> Chat:
    return chat(channel="voice", address="+33478000011", sender_id=None)


def test_a_job_still_to_come_is_announced_to_the_caller(
    chat: Callable[..., Chat], session: Session
) -> None:
    _job_at(session, TOMORROW_2PM)
    replies = _call(chat).send(choice="call:start")
    assert any(r.startswith("Vous avez une aide prévue : des courses, demain") for r in replies)


def test_yesterdays_job_is_not_announced_as_a_coming_visit(
    chat: Callable[..., Chat], session: Session
) -> None:
    _job_at(session, YESTERDAY_2PM)
    phone = _call(chat)
    replies = phone.send(choice="call:start")
    assert not any("prévue" in r for r in replies)
    assert "menu:request_help" in phone.choices()


def test_a_caller_whose_helper_never_came_is_told_it_is_reported_and_what_happens(
    chat: Callable[..., Chat], session: Session
) -> None:
    germaine, _karim, request = _job_at(session, YESTERDAY_2PM)
    report(session, germaine.id, "no_show", "Personne n'est venu", request_id=request.id, now=NOW)
    session.commit()
    phone = _call(chat)
    replies = phone.send(choice="call:start")
    assert not any("prévue" in r for r in replies)
    assert (
        f"Votre demande n°{request.id}, des courses, samedi 21 novembre entre 14 h et 16 h : "
        "vous nous avez signalé que personne n'est venu. Une personne de l'équipe s'en occupe "
        "et va vous rappeler pour trouver une solution."
    ) in replies
    assert "menu:request_help" in phone.choices()


def test_status_of_a_past_job_says_the_time_has_passed_and_how_to_report_a_no_show(
    chat: Callable[..., Chat], session: Session
) -> None:
    _job_at(session, YESTERDAY_2PM)
    replies = chat().press("menu:check_status")
    assert len(replies) == 1
    assert "le moment du rendez-vous est passé" in replies[0]
    assert "Karim va venir" not in replies[0]


def test_nobody_came_is_recorded_as_a_no_show_of_that_job_and_status_then_says_so(
    chat: Callable[..., Chat], session: Session
) -> None:
    germaine, karim, request = _job_at(session, YESTERDAY_2PM)
    tg = chat()
    replies = tg.say("personne n'est venu hier")
    assert replies == [
        "Je regrette que personne ne soit venu. C'est noté pour votre demande "
        f"n°{request.id} : une personne de l'équipe va vous rappeler pour trouver une solution."
    ]
    filed = session.scalars(select(Report)).one()
    assert (filed.kind, filed.request_id, filed.reporter_id, filed.about_id) == (
        "no_show",
        request.id,
        germaine.id,
        karim.id,
    )
    session.expire_all()
    assert session.get_one(HelpRequest, request.id).needs_dispatcher
    session.commit()  # ends the test's read, which would hold SQLite's lock
    replies = tg.press("menu:check_status")
    assert replies[0].endswith(
        "vous nous avez signalé que personne n'est venu. Une personne de "
        "l'équipe s'en occupe et va vous rappeler pour trouver une solution."
    )
