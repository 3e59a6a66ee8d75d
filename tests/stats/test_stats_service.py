"""The dashboard's figures, on a week whose every timestamp is known."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.service import (
    accept_offer,
    assign_by_hand,
    cancel_request,
    complete_job,
    start_dispatch,
)
from backend.people.models import SERVICES, Person, PersonStatus
from backend.requests.models import HelpRequest, RequestEvent, RequestStatus
from backend.requests.service import transition
from backend.stats import neighbourhood_stats
from tests.dispatch.dispatch_data import helper, requester
from tests.factories import make_request

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)  # Friday 11:30 in Paris
# Every helper gets an offer, and the offers last long enough for slow accepts.
POLICY = DispatchPolicy(offers_per_round=5, offer_ttl=timedelta(hours=3), max_rounds=1)
SERVICES_OFFERED = ["errands", "diy", "gardening"]


def opened(session: Session, who: Person, at: datetime, **kw: Any) -> HelpRequest:
    """A request created and opened at `at` (the services stamp the wall clock)."""
    request = make_request(session, who, **kw)
    request.created_at = at
    for event in request.events:
        event.at = at
    session.flush()
    return request


def accepted(
    session: Session, request: HelpRequest, by: Person, after_minutes: float
) -> HelpRequest:
    opened_at = request.created_at
    offers = start_dispatch(session, request, POLICY, opened_at)
    (offer,) = [o for o in offers if o.helper_id == by.id]
    accept_offer(session, offer.id, by.id, opened_at + timedelta(minutes=after_minutes))
    return request


def done(session: Session, request: HelpRequest, at: datetime) -> None:
    assert request.helper_id is not None
    complete_job(session, request.id, request.helper_id, commission_bps=0)
    request.completed_at = at
    session.flush()


@pytest.fixture
def week(session: Session) -> dict[str, Any]:
    """Seven local days, 14 to 20 November 2026 (Saturday to Friday)."""
    amelie = helper(session, "Amélie", services=SERVICES_OFFERED)
    bruno = helper(session, "Bruno", km=1.0, services=SERVICES_OFFERED)
    chloe = helper(session, "Chloé", km=1.5, services=SERVICES_OFFERED)
    david = helper(session, "David", km=2.0, services=SERVICES_OFFERED)
    idle = helper(session, "Émile", km=2.5, services=SERVICES_OFFERED)
    away = helper(session, "Fanny", km=3.0, services=SERVICES_OFFERED)
    suspended = helper(session, "Gaston", km=3.5, services=SERVICES_OFFERED)
    assert away.helper_profile is not None
    away.helper_profile.active = False
    jeanne = requester(session)
    dispatcher = requester(session, "Régine Dispatch")

    # Before the window: 10 November, and 23:30 in Paris on the 13th (22:30 UTC).
    old = accepted(session, opened(session, jeanne, datetime(2026, 11, 10, 9, tzinfo=UTC)),
                   david, 3)  # fmt: skip
    done(session, old, datetime(2026, 11, 10, 15, tzinfo=UTC))
    opened(session, jeanne, datetime(2026, 11, 13, 22, 30, tzinfo=UTC))
    # 00:30 on Saturday the 14th in Paris, though still the 13th in UTC: accepted in 4 min.
    r1 = accepted(session, opened(session, jeanne, datetime(2026, 11, 13, 23, 30, tzinfo=UTC)),
                  amelie, 4)  # fmt: skip
    done(session, r1, datetime(2026, 11, 14, 10, tzinfo=UTC))
    # Monday the 16th: accepted in 10 min, then cancelled.
    r2 = accepted(session, opened(session, jeanne, datetime(2026, 11, 16, 8, tzinfo=UTC),
                                  service="diy"), bruno, 10)  # fmt: skip
    cancel_request(session, r2.id, jeanne.id, "plus besoin")
    # Tuesday the 17th: accepted in 16 min, done.
    r3 = accepted(session, opened(session, jeanne, datetime(2026, 11, 17, 9, tzinfo=UTC)),
                  amelie, 16)  # fmt: skip
    done(session, r3, datetime(2026, 11, 17, 14, tzinfo=UTC))
    # Wednesday the 18th: accepted in 30 min, still assigned, its window ended yesterday.
    r4 = accepted(session, opened(session, jeanne, datetime(2026, 11, 18, 9, tzinfo=UTC),
                                  service="gardening"), bruno, 30)  # fmt: skip
    r4.window_start = datetime(2026, 11, 19, 8, tzinfo=UTC)
    r4.window_end = datetime(2026, 11, 19, 10, tzinfo=UTC)
    # Thursday the 19th: given by hand to Chloé after an hour; and one that expired.
    r5 = opened(session, jeanne, datetime(2026, 11, 19, 9, tzinfo=UTC))
    assign_by_hand(session, r5.id, chloe.id, dispatcher.id, r5.created_at + timedelta(hours=1))
    r6 = opened(session, jeanne, datetime(2026, 11, 19, 10, tzinfo=UTC))
    transition(session, r6, RequestStatus.expired)
    # Today: one open and late, one offered in time, one without a service, one draft.
    r7 = opened(session, jeanne, datetime(2026, 11, 20, 7, tzinfo=UTC))
    r7.window_start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    r8 = opened(session, jeanne, datetime(2026, 11, 20, 8, tzinfo=UTC))
    start_dispatch(session, r8, POLICY, r8.created_at)
    r8.window_start = datetime(2026, 11, 20, 14, tzinfo=UTC)
    r9 = opened(session, jeanne, datetime(2026, 11, 20, 9, tzinfo=UTC))
    r9.service = None
    opened(session, jeanne, datetime(2026, 11, 20, 9, 30, tzinfo=UTC), submit=False)
    suspended.status = PersonStatus.suspended
    session.commit()
    del idle
    return {"amelie": amelie, "bruno": bruno, "chloe": chloe, "david": david}


def test_every_local_day_of_the_window_is_there_with_zeros(
    session: Session, week: dict[str, Any]
) -> None:
    stats = neighbourhood_stats(session, days=7, now=NOW)

    assert stats.since == datetime(2026, 11, 13, 23, tzinfo=UTC)  # midnight in Paris
    assert [(d.day, d.count) for d in stats.per_day] == [
        (date(2026, 11, 14), 1),
        (date(2026, 11, 15), 0),
        (date(2026, 11, 16), 1),
        (date(2026, 11, 17), 1),
        (date(2026, 11, 18), 1),
        (date(2026, 11, 19), 2),
        (date(2026, 11, 20), 3),  # the draft is not a request yet
    ]
    assert stats.requests == 9


def test_requests_are_counted_per_service_with_unknown_last(
    session: Session, week: dict[str, Any]
) -> None:
    stats = neighbourhood_stats(session, days=7, now=NOW)

    counts = {s.service: s.count for s in stats.per_service}
    assert [s.service for s in stats.per_service] == [*SERVICES, "unknown"]
    assert {s: n for s, n in counts.items() if n} == {
        "errands": 6,
        "diy": 1,
        "gardening": 1,
        "unknown": 1,
    }


def test_time_to_first_accept_leaves_hand_assignments_apart(
    session: Session, week: dict[str, Any]
) -> None:
    accept = neighbourhood_stats(session, days=7, now=NOW).time_to_accept

    assert accept.accepted == 4 and accept.hand_assigned == 1
    assert accept.median_minutes == pytest.approx(13.0)  # 4, 10, 16, 30
    assert accept.p90_minutes == pytest.approx(16 + 0.7 * 14)
    assert [(w.week_start, w.accepted, w.median_minutes) for w in accept.weekly] == [
        (date(2026, 11, 9), 1, pytest.approx(4.0)),
        (date(2026, 11, 16), 3, pytest.approx(16.0)),
    ]


def test_share_fulfilled_counts_only_closed_requests_of_the_window(
    session: Session, week: dict[str, Any]
) -> None:
    fulfilment = neighbourhood_stats(session, days=7, now=NOW).fulfilment

    assert (fulfilment.done, fulfilment.cancelled, fulfilment.expired) == (2, 1, 1)
    assert fulfilment.share == pytest.approx(0.5)


def test_active_helpers_are_those_who_took_part_in_the_window(
    session: Session, week: dict[str, Any]
) -> None:
    helpers = neighbourhood_stats(session, days=7, now=NOW).helpers

    assert helpers.active == 3  # Amélie, Bruno, Chloé; David's job was before
    assert helpers.with_active_profile == 5  # not Fanny (profile off), nor Gaston (suspended)


def test_current_counts_and_late_requests(session: Session, week: dict[str, Any]) -> None:
    now = neighbourhood_stats(session, days=7, now=NOW).now

    # Open: r7, r9 and the 13th's; offered: r8; assigned: r4 (late) and r5 (no window).
    assert (now.open, now.offered, now.assigned, now.in_progress) == (3, 1, 2, 0)
    assert now.late == 2  # r7 (its start has passed) and r4 (its end has passed)


def test_a_longer_window_takes_in_the_earlier_jobs(session: Session, week: dict[str, Any]) -> None:
    stats = neighbourhood_stats(session, days=14, now=NOW)

    assert len(stats.per_day) == 14 and stats.per_day[0].day == date(2026, 11, 7)
    assert stats.requests == 11
    assert stats.time_to_accept.accepted == 5 and stats.helpers.active == 4
    assert stats.fulfilment.done == 3


def test_an_empty_neighbourhood_has_zeros_and_no_medians(session: Session) -> None:
    stats = neighbourhood_stats(session, days=3, now=NOW)

    assert [d.count for d in stats.per_day] == [0, 0, 0]
    assert stats.time_to_accept.median_minutes is None
    assert stats.time_to_accept.p90_minutes is None
    assert [w.median_minutes for w in stats.time_to_accept.weekly] == [None]
    assert stats.fulfilment.share is None
    assert stats.helpers.active == stats.helpers.with_active_profile == 0


def test_local_days_follow_the_change_to_winter_time(session: Session) -> None:
    jeanne = requester(session)
    # 25 October 2026: Paris goes from UTC+2 to UTC+1 at 3:00.
    for at in (
        datetime(2026, 10, 24, 21, 59, tzinfo=UTC),  # 23:59 on the 24th
        datetime(2026, 10, 24, 22, 0, tzinfo=UTC),  # 00:00 on the 25th
        datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # 23:59 on the 25th
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # 00:00 on the 26th
    ):
        opened(session, jeanne, at)
    session.commit()

    stats = neighbourhood_stats(session, days=3, now=datetime(2026, 10, 26, 12, tzinfo=UTC))

    assert [(d.day.day, d.count) for d in stats.per_day] == [(24, 1), (25, 2), (26, 1)]
    assert stats.since == datetime(2026, 10, 23, 22, tzinfo=UTC)


def test_an_assignment_recorded_without_an_offer_counts_from_assigned_at(
    session: Session,
) -> None:
    """Rows written without dispatch (the demo's past jobs): the helper's own assignment is
    an accept, timed by assigned_at."""
    amelie = helper(session, "Amélie")
    request = opened(session, requester(session), datetime(2026, 11, 19, 9, tzinfo=UTC))
    request.helper_id = amelie.id
    transition(session, request, RequestStatus.assigned, actor_id=amelie.id)
    request.assigned_at = request.created_at + timedelta(minutes=25)
    session.commit()
    assert session.scalar(select(RequestEvent.actor_id).where(RequestEvent.to_status == "assigned"))

    accept = neighbourhood_stats(session, days=7, now=NOW).time_to_accept

    assert (accept.accepted, accept.hand_assigned) == (1, 0)
    assert accept.median_minutes == pytest.approx(25.0)


def test_a_window_needs_a_day_and_an_aware_now(session: Session) -> None:
    with pytest.raises(ValueError):
        neighbourhood_stats(session, days=0, now=NOW)
    with pytest.raises(ValueError):
        neighbourhood_stats(session, now=NOW.replace(tzinfo=None))
