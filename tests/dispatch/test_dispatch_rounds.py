"""Rounds: when offers expire or are all declined the next helpers are asked; after the last
round, or when nobody is left, the request goes back to open and a dispatcher is asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from backend.dispatch.jobs import job_handlers
from backend.dispatch.models import OfferStatus
from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.service import (
    NOBODY_AVAILABLE,
    decline_offer,
    expire_offers,
    start_dispatch,
)
from backend.errors import Forbidden
from backend.jobs.models import JobStatus
from backend.requests.models import RequestStatus
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

LATER = NOW + POLICY.offer_ttl


def test_expired_offers_go_to_the_next_best_helpers(session: Session) -> None:
    helpers = [helper(session, f"Aidant {i}", km=0.3 * (i + 1)) for i in range(5)]
    request = open_request(session, requester(session))
    start_dispatch(session, request, POLICY, NOW)

    job = round_jobs(session)[0]
    job_handlers(POLICY)[job.kind](session, dict(job.payload), LATER)

    offers = offers_of(session, request)
    assert [(o.helper_id, o.round, o.status) for o in offers] == [
        (helpers[0].id, 1, OfferStatus.expired),
        (helpers[1].id, 1, OfferStatus.expired),
        (helpers[2].id, 2, OfferStatus.pending),
        (helpers[3].id, 2, OfferStatus.pending),
    ]
    assert request.status == RequestStatus.offered
    assert len(outbox(session, "offer")) == 4
    second = round_jobs(session)[1]
    assert second.payload["round"] == 2 and second.run_at == LATER + POLICY.offer_ttl


def test_after_the_last_round_the_request_is_flagged(session: Session) -> None:
    for i in range(6):
        helper(session, f"Aidant {i}", km=0.3 * (i + 1))
    request = open_request(session, requester(session))
    start_dispatch(session, request, POLICY, NOW)
    expire_offers(session, request.id, LATER, round_no=1, policy=POLICY)
    expire_offers(session, request.id, LATER + POLICY.offer_ttl, round_no=2, policy=POLICY)

    assert request.status == RequestStatus.open
    assert request.needs_dispatcher and request.flag_reason == NOBODY_AVAILABLE
    assert len(offers_of(session, request)) == 4  # max_rounds=2 rounds of 2, nobody else asked
    assert all(o.status == OfferStatus.expired for o in offers_of(session, request))


def test_nobody_left_to_ask_ends_the_rounds_early(session: Session) -> None:
    helper(session, "Seul aidant")
    request = open_request(session, requester(session))
    start_dispatch(session, request, DispatchPolicy(max_rounds=5), NOW)
    expire_offers(session, request.id, NOW + timedelta(minutes=10), round_no=1, policy=POLICY)
    assert request.status == RequestStatus.open and request.flag_reason == NOBODY_AVAILABLE


def test_a_timer_that_fires_early_or_twice_changes_nothing(session: Session) -> None:
    for i in range(4):
        helper(session, f"Aidant {i}", km=0.3 * (i + 1))
    request = open_request(session, requester(session))
    start_dispatch(session, request, POLICY, NOW)

    expire_offers(
        session, request.id, NOW + timedelta(minutes=5), round_no=1, policy=POLICY
    )  # too early
    assert [o.status for o in offers_of(session, request)] == [OfferStatus.pending] * 2

    expire_offers(session, request.id, LATER, round_no=1, policy=POLICY)
    expire_offers(session, request.id, LATER, round_no=1, policy=POLICY)  # the same timer again
    assert [o.round for o in offers_of(session, request)] == [1, 1, 2, 2]


def test_when_everyone_declines_the_next_round_starts_at_once(session: Session) -> None:
    helpers = [helper(session, f"Aidant {i}", km=0.3 * (i + 1)) for i in range(3)]
    request = open_request(session, requester(session))
    first, second = start_dispatch(session, request, POLICY, NOW)

    declined = decline_offer(session, first.id, helpers[0].id, NOW + timedelta(minutes=1), POLICY)
    assert declined.status == OfferStatus.declined
    assert len(offers_of(session, request)) == 2  # one answer still awaited

    decline_offer(session, second.id, helpers[1].id, NOW + timedelta(minutes=2), POLICY)
    offers = offers_of(session, request)
    assert [(o.helper_id, o.round, o.status) for o in offers][-1] == (
        helpers[2].id,
        2,
        OfferStatus.pending,
    )
    # The first round's timer is cancelled; the second round's is set.
    jobs = round_jobs(session)
    assert [j.status for j in jobs] == [JobStatus.cancelled, JobStatus.pending]
    # Declining twice is harmless; a declined helper is not asked again.
    assert (
        decline_offer(session, first.id, helpers[0].id, NOW, POLICY).status == OfferStatus.declined
    )


def test_a_helper_cannot_answer_someone_elses_offer(session: Session) -> None:
    mine = helper(session, "Moi")
    other = helper(session, "Autre", km=3)
    request = open_request(session, requester(session))
    (offer, *_) = start_dispatch(session, request, POLICY, NOW)
    assert offer.helper_id == mine.id
    with pytest.raises(Forbidden):
        decline_offer(session, offer.id, other.id, NOW, POLICY)
