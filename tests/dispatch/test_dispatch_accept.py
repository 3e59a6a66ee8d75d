"""Accepting an offer: the first valid Accept wins; everyone else gets a clear answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from backend.dispatch.models import OfferStatus
from backend.dispatch.safety_words import WORDS
from backend.dispatch.service import (
    AcceptOutcome,
    accept_offer,
    cancel_request,
    expire_offers,
    start_dispatch,
)
from backend.errors import Forbidden
from backend.jobs.models import JobStatus
from backend.requests.models import RequestStatus
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

SOON = NOW + timedelta(minutes=2)


def test_the_winner_gets_the_address_and_the_requester_a_safety_word(session: Session) -> None:
    winner = helper(session, "Amélie Poulain", telegram=True)
    other = helper(session, "Bruno Martin", km=1.0)
    jeanne = requester(session, "Jeanne Martin")
    request = open_request(session, jeanne)
    first, second = start_dispatch(session, request, POLICY, NOW)
    assert first.helper_id == winner.id

    result = accept_offer(session, first.id, winner.id, SOON)

    assert result.outcome == AcceptOutcome.assigned and result.won
    assert request.status == RequestStatus.assigned and request.helper_id == winner.id
    assert request.assigned_at == SOON and request.safety_word in WORDS
    assert [o.status for o in offers_of(session, request)] == [
        OfferStatus.accepted,
        OfferStatus.withdrawn,
    ]
    (to_helper,) = outbox(session, "assigned_helper")
    assert to_helper.person_id == winner.id and to_helper.channel == "telegram"
    assert to_helper.payload["address"] == request.place_text
    assert "rue de la République" in to_helper.payload["address"]
    assert to_helper.payload["requester_phone"] == jeanne.contact("phone")
    assert to_helper.payload["requester_name"] == "Jeanne"
    assert to_helper.payload["safety_word"] == request.safety_word
    (to_requester,) = outbox(session, "assigned_requester")
    assert to_requester.person_id == jeanne.id and to_requester.channel == "sms"
    assert to_requester.payload["helper_first_name"] == "Amélie"
    assert to_requester.payload["safety_word"] == request.safety_word
    told = render_notification(to_requester.kind, to_requester.payload, "fr")[0].text
    assert request.safety_word in told and "Amélie" in told
    assert "+33" not in str(to_requester.payload)  # the helper's number stays private
    (withdrawn,) = outbox(session, "offer_withdrawn")
    assert withdrawn.person_id == other.id and withdrawn.payload["offer_id"] == second.id
    assert [j.status for j in round_jobs(session)] == [JobStatus.cancelled]


def test_a_late_accept_is_told_the_job_is_already_taken(session: Session) -> None:
    first_helper = helper(session, "Premier")
    late_helper = helper(session, "Second", km=1.0)
    request = open_request(session, requester(session))
    first, second = start_dispatch(session, request, POLICY, NOW)
    accept_offer(session, first.id, first_helper.id, SOON)

    late = accept_offer(session, second.id, late_helper.id, SOON)

    assert late.outcome == AcceptOutcome.already_taken and not late.won
    assert "déjà prise" in late.text("fr") and "already taken" in late.text("en")
    assert request.helper_id == first_helper.id
    assert len(outbox(session, "assigned_helper")) == 1


def test_pressing_accept_twice_keeps_the_job_and_says_so(session: Session) -> None:
    winner = helper(session, "Aidant")
    request = open_request(session, requester(session))
    (offer,) = start_dispatch(session, request, POLICY, NOW)
    word = None
    for expected in (AcceptOutcome.assigned, AcceptOutcome.already_yours):
        result = accept_offer(session, offer.id, winner.id, SOON)
        assert result.outcome == expected and result.won
        word = word or request.safety_word
    assert request.safety_word == word  # the second press did not change the word
    assert len(outbox(session, "assigned_helper")) == 1
    assert len(outbox(session, "assigned_requester")) == 1


def test_an_expired_offer_cannot_be_accepted(session: Session) -> None:
    for i in range(3):
        helper(session, f"Aidant {i}", km=0.3 * (i + 1))
    request = open_request(session, requester(session))
    first, _ = start_dispatch(session, request, POLICY, NOW)
    too_late = NOW + POLICY.offer_ttl + timedelta(seconds=1)

    # Past its time, even before the timer ran...
    assert accept_offer(session, first.id, first.helper_id, too_late).outcome == "expired"
    # ...and after it moved the request to the next round.
    expire_offers(session, request.id, too_late, round_no=1, policy=POLICY)
    assert accept_offer(session, first.id, first.helper_id, too_late).outcome == "expired"
    assert request.status == RequestStatus.offered and request.helper_id is None


def test_accepting_a_cancelled_request_says_it_is_no_longer_needed(session: Session) -> None:
    aidant = helper(session, "Aidant")
    jeanne = requester(session)
    request = open_request(session, jeanne)
    (offer,) = start_dispatch(session, request, POLICY, NOW)
    cancel_request(session, request.id, jeanne.id, "ma fille est venue")
    result = accept_offer(session, offer.id, aidant.id, SOON)
    assert result.outcome == AcceptOutcome.no_longer_needed


def test_nobody_can_accept_an_offer_made_to_someone_else(session: Session) -> None:
    helper(session, "Destinataire")
    intruder = helper(session, "Intrus", km=4)
    request = open_request(session, requester(session))
    (offer, *_) = start_dispatch(session, request, POLICY, NOW)
    with pytest.raises(Forbidden):
        accept_offer(session, offer.id, intruder.id, SOON)
    assert request.status == RequestStatus.offered
