"""Hand assignment by a dispatcher, the job's start and end, and cancellation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from backend.dispatch.errors import AlreadyTaken
from backend.dispatch.models import OfferStatus
from backend.dispatch.service import (
    accept_offer,
    assign_by_hand,
    cancel_request,
    complete_job,
    start_dispatch,
    start_job,
)
from backend.errors import Forbidden, InvalidInput
from backend.jobs.models import JobStatus
from backend.people.models import PersonStatus
from backend.requests.models import HelpRequest, RequestStatus
from dialogues.notifications import render_notification
from tests.dispatch.dispatch_data import (
    NOW,
    POLICY,
    helper,
    offers_of,
    open_request,
    outbox,
    requester,
    round_jobs,
)
from tests.factories import make_resident


def test_a_dispatcher_assigns_by_hand_and_pending_offers_are_withdrawn(
    session: Session, dispatcher: int
) -> None:
    offered = [helper(session, f"Aidant {i}", km=0.2 * (i + 1)) for i in range(2)]
    chosen = helper(session, "Choisi par la répartitrice", km=4)
    request = open_request(session, requester(session))
    start_dispatch(session, request, POLICY, NOW)
    request.needs_dispatcher = True

    assign_by_hand(session, request.id, chosen.id, dispatcher, NOW)

    assert request.status == RequestStatus.assigned and request.helper_id == chosen.id
    assert request.safety_word and not request.needs_dispatcher
    statuses = {o.helper_id: o.status for o in offers_of(session, request)}
    assert statuses == {
        offered[0].id: OfferStatus.withdrawn,
        offered[1].id: OfferStatus.withdrawn,
        chosen.id: OfferStatus.accepted,
    }
    withdrawn = outbox(session, "offer_withdrawn")
    assert {m.person_id for m in withdrawn} == {h.id for h in offered}
    assert all(m.payload["reason"] == "assigned" for m in withdrawn)
    assert [m.person_id for m in outbox(session, "assigned_helper")] == [chosen.id]
    assert [j.status for j in round_jobs(session)] == [JobStatus.cancelled]
    assert request.events[-1].actor_id == dispatcher

    with pytest.raises(AlreadyTaken):
        assign_by_hand(session, request.id, offered[0].id, dispatcher, NOW)


def test_only_an_active_helper_other_than_the_requester_can_be_assigned(
    session: Session, dispatcher: int
) -> None:
    jeanne = requester(session)
    request = open_request(session, jeanne)
    suspended = helper(session, "Suspendu")
    suspended.status = PersonStatus.suspended
    inactive = helper(session, "En pause")
    assert inactive.helper_profile is not None
    inactive.helper_profile.active = False
    for person_id in (jeanne.id, suspended.id, inactive.id):
        with pytest.raises(InvalidInput):
            assign_by_hand(session, request.id, person_id, dispatcher, NOW)
    assert request.status == RequestStatus.open


def test_the_job_starts_and_ends(session: Session, dispatcher: int) -> None:
    aidant = helper(session, "Aidant")
    jeanne = requester(session)
    request = open_request(session, jeanne)
    (offer,) = start_dispatch(session, request, POLICY, NOW)
    accept_offer(session, offer.id, aidant.id, NOW + timedelta(minutes=1))

    with pytest.raises(Forbidden):
        start_job(session, request.id, jeanne.id)  # only the helper (or a dispatcher)
    start_job(session, request.id, aidant.id)
    start_job(session, request.id, aidant.id)  # a second tap changes nothing
    assert request.status == RequestStatus.in_progress
    complete_job(session, request.id, jeanne.id, commission_bps=1000)
    assert request.status == RequestStatus.done and request.completed_at is not None
    assert [e.to_status for e in request.events if e.kind == "status"][-3:] == [
        RequestStatus.assigned,
        RequestStatus.in_progress,
        RequestStatus.done,
    ]


def test_cancelling_tells_the_assigned_helper_not_to_come(session: Session) -> None:
    aidant = helper(session, "Aidant", telegram=True)
    jeanne = requester(session)
    request = open_request(session, jeanne)
    (offer,) = start_dispatch(session, request, POLICY, NOW)
    accept_offer(session, offer.id, aidant.id, NOW + timedelta(minutes=1))

    with pytest.raises(Forbidden):
        cancel_request(session, request.id, aidant.id)  # a helper withdraws, not cancels
    cancel_request(session, request.id, jeanne.id, "ma fille est venue")

    assert request.status == RequestStatus.cancelled
    (message,) = outbox(session, "request_cancelled")
    assert message.person_id == aidant.id and message.channel == "telegram"
    assert "ma fille est venue" in render_notification(message.kind, message.payload, "fr")[0].text


def test_cancelling_withdraws_pending_offers(session: Session, dispatcher: int) -> None:
    offered = [helper(session, f"Aidant {i}", km=0.2 * (i + 1)) for i in range(2)]
    request = open_request(session, requester(session))
    start_dispatch(session, request, POLICY, NOW)
    cancel_request(session, request.id, dispatcher)
    assert {o.status for o in offers_of(session, request)} == {OfferStatus.withdrawn}
    withdrawn = outbox(session, "offer_withdrawn")
    assert {m.person_id for m in withdrawn} == {h.id for h in offered}
    assert {m.payload["reason"] for m in withdrawn} == {"cancelled"}
    assert outbox(session, "request_cancelled") == []
    assert [j.status for j in round_jobs(session)] == [JobStatus.cancelled]


def test_a_requester_on_a_landline_is_called_and_one_without_contact_is_flagged(
    session: Session, dispatcher: int
) -> None:
    aidant = helper(session, "Aidant")
    landline = requester(session, "Marcel Fixe", phone="04 78 12 34 56")
    request = open_request(session, landline)
    assign_by_hand(session, request.id, aidant.id, dispatcher, NOW)
    (message,) = outbox(session, "assigned_requester")
    assert message.channel == "voice_call" and message.address == "+33478123456"

    unreachable = make_resident(session, "Sans Contact")
    other = open_request(session, unreachable)
    assign_by_hand(session, other.id, aidant.id, dispatcher, NOW)
    assert other.needs_dispatcher and "safety word" in other.flag_reason


def _done_job(session: Session, **request_fields: object) -> tuple[int, int, int]:
    aidant = helper(session, "Aidant")
    jeanne = requester(session)
    request = open_request(session, jeanne, **request_fields)
    (offer,) = start_dispatch(session, request, POLICY, NOW)
    accept_offer(session, offer.id, aidant.id, NOW + timedelta(minutes=1))
    complete_job(session, request.id, aidant.id, commission_bps=1000)
    return request.id, jeanne.id, aidant.id


def test_a_cash_job_is_recorded_in_the_ledger_with_the_commission(session: Session) -> None:
    from backend.ledger.accounts import person_accounts
    from backend.ledger.models import AccountKind

    _request_id, _jeanne, aidant = _done_job(session, pay_mode="cash", price_cents=2000)
    dues = {a.kind: a.balance for a in person_accounts(session, aidant)}
    # The helper was paid 20 EUR in cash by hand and owes the platform its 10 %.
    assert dues[AccountKind.person_dues] == -200


def test_a_time_credit_job_without_a_duration_goes_to_a_dispatcher(session: Session) -> None:
    request_id, _jeanne, _aidant = _done_job(session, pay_mode="time_credits")
    request = session.get_one(HelpRequest, request_id)
    assert request.status == RequestStatus.done
    assert request.needs_dispatcher and request.flag_reason.startswith("paiement à régler")


def test_the_requester_is_asked_for_a_rating_once_the_job_is_done(session: Session) -> None:
    request_id, jeanne, _aidant = _done_job(session)
    (asked,) = outbox(session, "rate_request")
    assert asked.person_id == jeanne and asked.payload["request_id"] == request_id
    said = render_notification(asked.kind, asked.payload, "fr")[0]
    assert said.text.startswith("Aidant vous a donné un coup de main.")
    assert [c.id for c in said.choices] == [f"rate:{request_id}:{n}" for n in range(1, 6)]
