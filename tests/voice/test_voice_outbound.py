"""Calls we place through Twilio's Calls API: notifications read aloud, and the care call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.calls.follow_up import FOLLOW_UP_JOB, within_calling_hours
from backend.db import utcnow
from backend.dispatch.service import complete_job
from backend.jobs.models import Job
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.people.models import ContactKind
from backend.requests.models import HelpRequest, RequestStatus
from backend.trust.models import Rating, Report
from backend.trust.service import rate
from bots.voice.simulator import Heard, PhoneCall
from dialogues.wording import PARIS
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, PlacedCall
from tests.voice.conftest import DISPATCHER, HOTLINE, PUBLIC_URL, Line
from tests.voice.voice_data import assigned, germaine, karim, offered


def _placed(line: Line, number: str) -> PlacedCall:
    (call,) = line.fake.calls_to(number)
    return call


def test_a_landline_helper_is_rung_hears_the_offer_and_accepts_with_key_1(
    line: Line, session: Session
) -> None:
    requester, helper = germaine(session), karim(session, landline=True)
    request, (offer,) = offered(session, requester, line.clock())
    session.commit()
    helper_phone = helper.contact(ContactKind.phone) or ""

    assert line.deliver().sent == 1
    placed = _placed(line, helper_phone)
    (api_call,) = [r for r in line.fake.requests("Calls") if r.field("To") == helper_phone]
    assert api_call.account_sid == ACCOUNT_SID and api_call.auth == (ACCOUNT_SID, AUTH_TOKEN)
    message = line.one(select(OutboxMessage).where(OutboxMessage.kind == "offer"))
    assert placed.from_ == HOTLINE and placed.method == "POST" and placed.timeout == 30
    assert placed.url == f"{PUBLIC_URL}/voice/outbound?outbox={message.id}"
    assert placed.status_callback == f"{PUBLIC_URL}/voice/status?outbox={message.id}"
    assert placed.status_callback_events == ["completed"]
    assert message.provider_id == placed.sid

    call, heard = line.pick_up(placed)
    assert heard.said[0] == "Bonjour Karim ! Ici Coup de main."
    assert heard.said[1].startswith("Un voisin a besoin d'aide : des courses, dès que possible")
    assert heard.said[2] == "Pour « J'accepte », tapez 1. Pour « Je ne peux pas », tapez 2."
    heard = call.answer(digits="1")
    request = line.one(select(HelpRequest))
    assert request.status == RequestStatus.assigned and request.helper_id == helper.id
    # The details are read in the same call: the hotline stands for her number.
    assert heard.said[0] == "Merci ! La mission est pour vous, les détails arrivent."
    assert heard.said[1].startswith("C'est à vous ! Germaine vous attend")
    assert "appelez Coup de main à ce même numéro" in heard.said[1]
    assert f"« {request.safety_word} »" in heard.said[1]
    assert heard.said[-1] == "Merci, et au revoir !" and heard.hung_up
    details = line.one(select(OutboxMessage).where(OutboxMessage.kind == "assigned_helper"))
    assert details.status == OutboxStatus.sent and details.provider_id.startswith("read-in-call")
    line.deliver()
    assert len(line.fake.calls_to(helper_phone)) == 1  # not rung a second time
    call.hang_up(status_url=placed.status_callback)
    assert "call_unanswered" not in line.conversation(helper_phone).flags


def test_an_offer_can_be_answered_by_voice_and_declined(line: Line, session: Session) -> None:
    requester, helper = germaine(session), karim(session, landline=True)
    offered(session, requester, line.clock())
    session.commit()
    line.deliver()
    call, _ = line.pick_up(_placed(line, helper.contact(ContactKind.phone) or ""))
    heard = call.answer(speech="non je ne peux pas désolé")
    assert heard.said == ["Avec plaisir !", "Merci, et au revoir !"] and heard.hung_up


def test_a_notification_nobody_answers_is_flagged_for_a_dispatcher(
    line: Line, session: Session
) -> None:
    requester, helper = germaine(session), karim(session)
    assigned(session, requester, helper, line.clock())
    line.deliver()
    number = requester.contact(ContactKind.phone) or ""
    placed = _placed(line, number)  # "Bonne nouvelle : Karim va venir..."
    outbound = line.rung(placed)
    assert outbound.hang_up("no-answer", status_url=placed.status_callback).status == 200
    assert "call_unanswered" in line.conversation(number).flags


def test_a_message_waiting_for_a_caller_is_read_when_she_rings_us(
    line: Line, session: Session
) -> None:
    requester, helper = germaine(session), karim(session)
    request = assigned(session, requester, helper, line.clock())
    number = requester.contact(ContactKind.phone) or ""
    heard = line.call(number).start()  # she rings before the outbox rang her
    assert heard.said[0] == "Bonjour Germaine ! Ici Coup de main."
    assert heard.said[1] == "Vous avez un message de Coup de main."
    assert heard.said[2].startswith("Bonne nouvelle : Karim va venir vous aider")
    assert f"« {request.safety_word} »" in heard.said[2]
    line.deliver()
    assert not line.fake.calls_to(number)


def _done_job(line: Line, session: Session) -> tuple[HelpRequest, str]:
    requester, helper = germaine(session), karim(session)
    request = assigned(session, requester, helper, line.clock())
    line.deliver()
    complete_job(session, request.id, helper.id, commission_bps=1000)
    session.commit()
    return request, requester.contact(ContactKind.phone) or ""


def _care_call(line: Line, request: HelpRequest, number: str) -> tuple[PhoneCall, Heard]:
    """The rating request becomes the care call's timer; when due, the call is placed."""
    before = len(line.fake.calls_to(number))
    line.deliver()
    rate_request = line.one(select(OutboxMessage).where(OutboxMessage.kind == "rate_request"))
    assert rate_request.status == OutboxStatus.sent
    assert rate_request.provider_id.startswith("follow-up-call:")
    assert len(line.fake.calls_to(number)) == before  # nobody is rung as the job ends
    job = line.one(select(Job).where(Job.kind == FOLLOW_UP_JOB))
    assert job.payload == {"request_id": request.id}
    local = job.run_at.astimezone(PARIS)
    assert 10 <= local.hour < 19  # within calling hours
    assert line.run_jobs(job.run_at) == 1
    assert line.deliver().sent == 1
    placed = line.fake.calls_to(number)[-1]
    return line.pick_up(placed)


def test_the_care_call_after_a_job_asks_if_all_went_well_then_a_mark(
    line: Line, session: Session
) -> None:
    request, number = _done_job(line, session)
    call, heard = _care_call(line, request, number)
    assert heard.said[0] == (
        "Bonjour Germaine ! Ici Coup de main. Karim vous a donné un coup de main : des courses. "
        "Est-ce que tout s'est bien passé ?"
    )
    assert heard.said[1] == "Pour « Oui », tapez 1. Pour « Non », tapez 2."
    heard = call.answer(digits="1")
    assert heard.said == [
        "Tant mieux ! Quelle note donnez-vous à Karim ? Tapez un chiffre de 1 à 5, "
        "5 étant la meilleure note."
    ]
    heard = call.answer(digits="4")
    assert heard.said == ["Merci pour votre note !", "Merci, et au revoir !"] and heard.hung_up
    rating = line.one(select(Rating))
    assert (rating.request_id, rating.stars) == (request.id, 4)
    assert not line.one(select(HelpRequest)).needs_dispatcher


def test_a_bad_answer_to_the_care_call_reaches_a_dispatcher(line: Line, session: Session) -> None:
    request, number = _done_job(line, session)
    call, _ = _care_call(line, request, number)
    heard = call.answer(speech="non pas vraiment")
    assert heard.said == [
        "Merci de me l'avoir dit. Une personne de l'équipe va vous rappeler très vite.",
        "Merci, et au revoir !",
    ]
    assert line.one(select(Report)).request_id == request.id
    assert line.one(select(HelpRequest)).needs_dispatcher
    assert "problem_reported" in line.conversation(number).flags


def test_an_unanswered_care_call_reaches_a_dispatcher(line: Line, session: Session) -> None:
    request, number = _done_job(line, session)
    line.deliver()
    job = line.one(select(Job).where(Job.kind == FOLLOW_UP_JOB))
    line.run_jobs(job.run_at)
    line.deliver()
    placed = line.fake.calls_to(number)[-1]
    call = line.rung(placed)
    call.hang_up("no-answer", status_url=placed.status_callback)
    flagged = line.one(select(HelpRequest))
    assert flagged.needs_dispatcher and "sans réponse (no-answer)" in flagged.flag_reason
    assert "follow_up_unanswered" in line.conversation(number).flags


def test_silence_at_the_care_call_ends_with_a_person(line: Line, session: Session) -> None:
    request, number = _done_job(line, session)
    call, _ = _care_call(line, request, number)
    call.answer()
    call.answer()
    assert call.answer().dialled == [DISPATCHER]
    assert line.one(select(HelpRequest)).needs_dispatcher


def test_no_care_call_for_someone_who_rated_already(line: Line, session: Session) -> None:
    request, number = _done_job(line, session)
    line.deliver()
    rate(session, request.id, request.requester_id, 5, now=utcnow())
    session.commit()
    job = line.one(select(Job).where(Job.kind == FOLLOW_UP_JOB))
    line.run_jobs(job.run_at)
    assert not line.rows(select(OutboxMessage).where(OutboxMessage.kind == "follow_up"))


def test_calling_hours_move_a_late_follow_up_to_the_next_morning() -> None:
    late = datetime(2026, 11, 23, 20, 30, tzinfo=PARIS)
    assert within_calling_hours(late).astimezone(PARIS) == datetime(
        2026, 11, 24, 10, 0, tzinfo=PARIS
    )
    early = datetime(2026, 11, 23, 7, 0, tzinfo=PARIS)
    assert within_calling_hours(early).astimezone(PARIS).hour == 10
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
    assert within_calling_hours(noon) == noon
