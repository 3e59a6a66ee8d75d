"""Exactly one winner whatever the number of simultaneous Accept presses, on SQLite and on
PostgreSQL: each press is its own thread, session and transaction, released together."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.dispatch.models import Offer, OfferStatus
from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.service import AcceptOutcome, AcceptResult, accept_offer, start_dispatch
from backend.requests.models import HelpRequest, RequestStatus
from tests.dispatch.dispatch_data import NOW, helper, open_request, outbox, requester

PRESSES = 20
SOON = NOW + timedelta(minutes=1)


def _offered_to_many(factory: sessionmaker[Session], n: int) -> tuple[int, list[tuple[int, int]]]:
    with factory() as session, session.begin():
        for i in range(n):
            helper(session, f"Aidant {i}", km=0.1 + 0.05 * i)
        request = open_request(session, requester(session))
        offers = start_dispatch(session, request, DispatchPolicy(offers_per_round=n), NOW)
        return request.id, [(o.id, o.helper_id) for o in offers]


def _press_together(
    factory: sessionmaker[Session], presses: list[tuple[int, int]]
) -> list[AcceptResult]:
    barrier = threading.Barrier(len(presses))

    def press(offer_id: int, helper_id: int) -> AcceptResult:
        with factory() as session:
            barrier.wait()
            with session.begin():
                return accept_offer(session, offer_id, helper_id, SOON)

    with ThreadPoolExecutor(max_workers=len(presses)) as pool:
        futures = [pool.submit(press, offer_id, helper_id) for offer_id, helper_id in presses]
        return [f.result(timeout=120) for f in futures]


def test_twenty_simultaneous_accepts_make_exactly_one_assignment(
    session_factory: sessionmaker[Session],
) -> None:
    request_id, offers = _offered_to_many(session_factory, PRESSES)
    assert len(offers) == PRESSES

    results = _press_together(session_factory, offers)

    outcomes = Counter(r.outcome for r in results)
    assert outcomes == {AcceptOutcome.assigned: 1, AcceptOutcome.already_taken: PRESSES - 1}
    (winner,) = [r for r in results if r.outcome == AcceptOutcome.assigned]
    with session_factory() as session:
        request = session.get_one(HelpRequest, request_id)
        assert request.status == RequestStatus.assigned
        winner_helper = dict(offers)[winner.offer_id]
        assert request.helper_id == winner_helper
        statuses = Counter(session.scalars(select(Offer.status)))
        assert statuses == {OfferStatus.accepted: 1, OfferStatus.withdrawn: PRESSES - 1}
        (to_helper,) = outbox(session, "assigned_helper")
        (to_requester,) = outbox(session, "assigned_requester")
        assert to_helper.person_id == winner_helper
        assert to_requester.payload["safety_word"] == request.safety_word
        assert len(outbox(session, "offer_withdrawn")) == PRESSES - 1
        events = [e for e in request.events if e.to_status == RequestStatus.assigned]
        assert len(events) == 1


def test_the_same_helper_pressing_twice_at_once_gets_the_job_once(
    session_factory: sessionmaker[Session],
) -> None:
    request_id, offers = _offered_to_many(session_factory, 1)

    results = _press_together(session_factory, offers * 2)

    assert sorted(r.outcome for r in results) == [
        AcceptOutcome.already_yours,
        AcceptOutcome.assigned,
    ]
    with session_factory() as session:
        assert session.get_one(HelpRequest, request_id).helper_id == offers[0][1]
        assert len(outbox(session, "assigned_helper")) == 1
        assert len(outbox(session, "assigned_requester")) == 1
