"""A dispatcher gives an assigned job to another helper: the first is released and told, the
requester hears of the new helper and a new safety word; refused when the job has started."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from backend.dispatch.models import OfferStatus
from backend.dispatch.service import (
    accept_offer,
    assign_by_hand,
    reassign_by_hand,
    start_dispatch,
    start_job,
)
from backend.errors import Conflict, InvalidInput
from backend.people.models import PersonStatus
from backend.requests.models import RequestStatus
from dialogues.notifications import render_notification
from tests.dispatch.dispatch_data import NOW, POLICY, helper, offers_of, open_request, outbox
from tests.dispatch.dispatch_data import requester as make_requester


def test_a_job_accepted_from_an_offer_is_given_to_another_helper(
    session: Session, dispatcher: int
) -> None:
    amelie, bruno = helper(session, "Amélie Poulain"), helper(session, "Bruno Martin", km=3)
    jeanne = make_requester(session)
    request = open_request(session, jeanne)
    [offer, *_] = start_dispatch(session, request, POLICY, NOW)
    accept_offer(session, offer.id, amelie.id, NOW)

    reassign_by_hand(session, request.id, bruno.id, dispatcher, NOW)

    assert (request.status, request.helper_id) == (RequestStatus.assigned, bruno.id)
    statuses = {o.helper_id: o.status for o in offers_of(session, request)}
    assert statuses[amelie.id] == OfferStatus.withdrawn
    assert statuses[bruno.id] == OfferStatus.accepted
    [released] = [m for m in outbox(session, "offer_withdrawn") if m.person_id == amelie.id]
    [said] = render_notification(released.kind, released.payload, "fr")
    assert "confié la demande" in said.text and str(request.id) in said.text
    to_requester = outbox(session, "assigned_requester")
    assert [m.payload["helper_first_name"] for m in to_requester] == ["Amélie", "Bruno"]
    assert to_requester[-1].payload["safety_word"] == request.safety_word


def test_reassigning_is_refused_once_started_or_to_the_same_or_a_suspended_helper(
    session: Session, dispatcher: int
) -> None:
    amelie, bruno = helper(session, "Amélie"), helper(session, "Bruno")
    request = open_request(session, make_requester(session))
    with pytest.raises(Conflict):
        reassign_by_hand(session, request.id, bruno.id, dispatcher, NOW)
    assign_by_hand(session, request.id, amelie.id, dispatcher, NOW)
    sent = len(outbox(session))
    with pytest.raises(InvalidInput, match="already has the job"):
        reassign_by_hand(session, request.id, amelie.id, dispatcher, NOW)
    bruno.status = PersonStatus.suspended
    with pytest.raises(InvalidInput, match="suspended"):
        reassign_by_hand(session, request.id, bruno.id, dispatcher, NOW)
    assert (request.status, request.helper_id) == (RequestStatus.assigned, amelie.id)
    assert len(outbox(session)) == sent

    bruno.status = PersonStatus.active
    start_job(session, request.id, amelie.id)
    with pytest.raises(Conflict, match="in_progress"):
        reassign_by_hand(session, request.id, bruno.id, dispatcher, NOW)
    assert request.helper_id == amelie.id
