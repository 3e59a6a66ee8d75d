"""The figures of the dispatchers' dashboard, computed from the tables as they are.

A handful of queries, whatever the window: the rows of the window are fetched once and
bucketed in Python, because the local day (Europe/Paris) of a UTC timestamp is computed
differently by SQLite and PostgreSQL.

Definitions (the dashboard shows these words, so they are fixed here):

- *the window*: the last `days` local days, today included, from local midnight to `now`;
  a request belongs to it by its `created_at`. Drafts (requests still being composed in a
  conversation) are not requests yet and are left out everywhere.
- *time to first accept*: the first offer a helper accepted themselves, minus the moment
  the request was opened (its first `open` status event; `created_at` if it has none).
  A dispatcher's hand assignment is not an accept: it is counted apart (`hand_assigned`)
  and left out of the median, which measures how fast the neighbourhood answers. A request
  assigned without any offer row (data written before dispatch existed, such as the demo's
  past jobs) counts with its `assigned_at`, as an accept if the helper themself made the
  assignment, as a hand assignment otherwise.
- *share fulfilled*: done / (done + cancelled + expired) among the window's requests;
  requests still under way are in neither side.
- *active helpers*: distinct helpers who, in the window, accepted an offer, were assigned a
  job or completed one. *Helpers with an active profile*: active profile, person not suspended.
- *now*: current statuses of every request, judged at `now`; late means open or offered
  with its `window_start` passed, or assigned or in progress with its `window_end` passed
  (backend.requests.queues.late, the console's "late" queue).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select, union
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.dispatch.models import Offer, OfferStatus
from backend.people.models import SERVICES, HelperProfile, Person, PersonStatus
from backend.requests.models import HelpRequest, RequestEvent, RequestStatus
from backend.requests.queues import late, taken, waiting

PARIS = ZoneInfo("Europe/Paris")
UNKNOWN_SERVICE = "unknown"


@dataclass(frozen=True)
class DayCount:
    day: date  # a local (Europe/Paris) day
    count: int


@dataclass(frozen=True)
class ServiceCount:
    service: str  # one of people.models.SERVICES, or "unknown"
    count: int


@dataclass(frozen=True)
class WeekMedian:
    week_start: date  # the local Monday (the first week may start before the window)
    accepted: int
    median_minutes: float | None  # None: nothing accepted that week


@dataclass(frozen=True)
class TimeToAccept:
    accepted: int  # requests of the window that a helper accepted
    median_minutes: float | None
    p90_minutes: float | None  # linear interpolation between the closest ranks
    hand_assigned: int  # given to a helper by a dispatcher: not in the figures above
    weekly: tuple[WeekMedian, ...]


@dataclass(frozen=True)
class Fulfilment:
    done: int
    cancelled: int
    expired: int

    @property
    def closed(self) -> int:
        return self.done + self.cancelled + self.expired

    @property
    def share(self) -> float | None:
        """Done over closed, between 0 and 1; None when nothing is closed yet."""
        return self.done / self.closed if self.closed else None


@dataclass(frozen=True)
class HelperCounts:
    active: int  # took part in a job during the window
    with_active_profile: int


@dataclass(frozen=True)
class CurrentCounts:
    open: int
    offered: int
    assigned: int
    in_progress: int
    late: int


@dataclass(frozen=True)
class NeighbourhoodStats:
    since: datetime  # UTC: local midnight of the window's first day
    until: datetime  # UTC: `now`
    requests: int  # in the window
    per_day: tuple[DayCount, ...]  # every day of the window, oldest first, zeros included
    per_service: tuple[ServiceCount, ...]  # SERVICES order, then "unknown"
    time_to_accept: TimeToAccept
    fulfilment: Fulfilment
    helpers: HelperCounts
    now: CurrentCounts


def neighbourhood_stats(
    session: Session, *, days: int = 28, now: datetime | None = None
) -> NeighbourhoodStats:
    """The dashboard's figures over the last `days` local days (today included)."""
    if days < 1:
        raise ValueError("the window needs at least one day")
    if now is not None and now.tzinfo is None:
        raise ValueError("naive datetime given as now; use an aware datetime")
    now = (now or utcnow()).astimezone(UTC)
    first_day = now.astimezone(PARIS).date() - timedelta(days=days - 1)
    since = datetime.combine(first_day, time(), PARIS).astimezone(UTC)
    in_window = and_(
        HelpRequest.created_at >= since,
        HelpRequest.created_at <= now,
        HelpRequest.status != RequestStatus.draft,
    )
    rows = session.execute(
        select(
            HelpRequest.id,
            HelpRequest.service,
            HelpRequest.status,
            HelpRequest.created_at,
            HelpRequest.assigned_at,
            HelpRequest.helper_id,
        ).where(in_window)
    ).all()
    per_day = Counter(r.created_at.astimezone(PARIS).date() for r in rows)
    per_service = Counter(r.service or UNKNOWN_SERVICE for r in rows)
    statuses = Counter(r.status for r in rows)
    return NeighbourhoodStats(
        since=since,
        until=now,
        requests=len(rows),
        per_day=tuple(
            DayCount(day, per_day[day])
            for day in (first_day + timedelta(days=i) for i in range(days))
        ),
        per_service=tuple(ServiceCount(s, per_service[s]) for s in (*SERVICES, UNKNOWN_SERVICE)),
        time_to_accept=_time_to_accept(session, rows, in_window, first_day, days),
        fulfilment=Fulfilment(
            done=statuses[RequestStatus.done],
            cancelled=statuses[RequestStatus.cancelled],
            expired=statuses[RequestStatus.expired],
        ),
        helpers=_helpers(session, since, now),
        now=_current(session, now),
    )


def _time_to_accept(
    session: Session,
    rows: Sequence[Any],  # the window's rows, as neighbourhood_stats selects them
    in_window: ColumnElement[bool],
    first_day: date,
    days: int,
) -> TimeToAccept:
    # The earliest accepted offer of each request, and who made each assignment.
    first_offer: dict[int, tuple[datetime | None, int | None]] = {}
    for request_id, helper_id, at in session.execute(
        select(Offer.request_id, Offer.helper_id, Offer.responded_at)
        .join(HelpRequest, HelpRequest.id == Offer.request_id)
        .where(in_window, Offer.status == OfferStatus.accepted, Offer.responded_at.is_not(None))
        .order_by(Offer.responded_at.desc())
    ):
        first_offer[request_id] = (at, helper_id)
    opened: dict[int, datetime] = {}
    self_assigned: set[tuple[int, int | None]] = set()
    for request_id, to_status, actor_id, at in session.execute(
        select(
            RequestEvent.request_id, RequestEvent.to_status, RequestEvent.actor_id, RequestEvent.at
        )
        .join(HelpRequest, HelpRequest.id == RequestEvent.request_id)
        .where(
            in_window,
            RequestEvent.kind == "status",
            RequestEvent.to_status.in_((RequestStatus.open, RequestStatus.assigned)),
        )
        .order_by(RequestEvent.at.desc(), RequestEvent.id.desc())
    ):
        if to_status == RequestStatus.open:
            opened[request_id] = at
        else:
            self_assigned.add((request_id, actor_id))

    minutes_by_week: dict[date, list[float]] = defaultdict(list)
    hand = 0
    for r in rows:
        accepted_at, helper_id = first_offer.get(r.id, (r.assigned_at, r.helper_id))
        if accepted_at is None:
            continue
        if (r.id, helper_id) not in self_assigned:
            hand += 1
            continue
        start = opened.get(r.id, r.created_at)
        week = _monday(r.created_at.astimezone(PARIS).date())
        minutes_by_week[week].append((accepted_at - start).total_seconds() / 60)

    everything = sorted(m for week in minutes_by_week.values() for m in week)
    weeks = sorted({_monday(first_day + timedelta(days=i)) for i in range(days)})
    return TimeToAccept(
        accepted=len(everything),
        median_minutes=statistics.median(everything) if everything else None,
        p90_minutes=_percentile(everything, 0.9),
        hand_assigned=hand,
        weekly=tuple(
            WeekMedian(
                week_start=w,
                accepted=len(minutes_by_week[w]),
                median_minutes=statistics.median(minutes_by_week[w])
                if minutes_by_week[w]
                else None,
            )
            for w in weeks
        ),
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _percentile(ordered: Sequence[float], q: float) -> float | None:
    """The q-quantile of sorted values, interpolated linearly between the closest ranks."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _helpers(session: Session, since: datetime, now: datetime) -> HelperCounts:
    took_part = union(
        select(Offer.helper_id.label("helper_id")).where(
            Offer.status == OfferStatus.accepted, Offer.responded_at.between(since, now)
        ),
        select(HelpRequest.helper_id).where(HelpRequest.assigned_at.between(since, now)),
        select(HelpRequest.helper_id).where(HelpRequest.completed_at.between(since, now)),
    ).subquery()
    active = session.scalar(
        select(func.count(func.distinct(took_part.c.helper_id))).where(
            took_part.c.helper_id.is_not(None)
        )
    )
    profiles = session.scalar(
        select(func.count())
        .select_from(HelperProfile)
        .join(Person, Person.id == HelperProfile.person_id)
        .where(HelperProfile.active.is_(True), Person.status != PersonStatus.suspended)
    )
    return HelperCounts(active=active or 0, with_active_profile=profiles or 0)


def _current(session: Session, now: datetime) -> CurrentCounts:
    counts: dict[str, int] = {
        status: n
        for status, n in session.execute(
            select(HelpRequest.status, func.count())
            .where(or_(waiting(), taken()))
            .group_by(HelpRequest.status)
        )
    }
    late_count = session.scalar(select(func.count()).select_from(HelpRequest).where(late(now)))
    return CurrentCounts(
        open=counts.get(RequestStatus.open, 0),
        offered=counts.get(RequestStatus.offered, 0),
        assigned=counts.get(RequestStatus.assigned, 0),
        in_progress=counts.get(RequestStatus.in_progress, 0),
        late=late_count or 0,
    )
