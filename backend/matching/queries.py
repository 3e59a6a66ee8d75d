"""The database side of matching: one prefilter query, then one query per kind of fact for a
batch of candidates (never one query per helper)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import cos, radians
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer, OfferStatus
from backend.geo import haversine_km
from backend.matching.availability import WeeklySlots, merge_slots
from backend.matching.geo import KM_PER_DEGREE_LAT, bounding_box
from backend.people.models import (
    AvailabilitySlot,
    HelperProfile,
    HelperService,
    Person,
    PersonStatus,
)
from backend.requests.models import HelpRequest
from backend.trust.models import Rating

# Above any radius a helper may give (people.schemas allows 100 km).
MAX_RADIUS_KM = 20_000.0


def tune_for_short_queries(session: Session) -> None:
    """PostgreSQL only, for this transaction: plan each statement for its own values (a
    generic plan for "helpers near *some* point" is a bad plan for every real point), and no
    parallel workers (starting them costs more than these millisecond queries)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def one_of(session: Session, column: Any, ids: Sequence[int]) -> Any:
    """`column IN ids` with the ids as one bound value (an array on PostgreSQL, a JSON list
    on SQLite): binding hundreds of parameters one by one costs more than the query itself,
    and the statement text stays the same, so it is compiled once."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(
        select(literal_column("value")).select_from(func.json_each(json.dumps(list(ids))))
    )


@dataclass(frozen=True, slots=True)
class Reachable:
    helper_id: int
    distance_km: float
    display_name: str
    languages: list[str]
    verified: bool
    slots: WeeklySlots


# A weekly slot packed into one integer, so that a helper's slots travel as one string.
_PACK_DAY, _PACK_START = 100_000_000, 10_000


def reachable_helpers(
    session: Session, service: str, lat: float, lon: float, prefilter_km: float
) -> list[Reachable]:
    """Every active, unsuspended helper offering `service` whose own radius reaches (lat, lon),
    with what is known of them (name, languages, verification, weekly slots) in one row.

    Two disjoint index range scans: helpers with an ordinary radius inside a box of
    `prefilter_km` (the (lat, lon, radius) index), and the rare wide-radius ones (the radius
    index). A flat-earth distance test on the indexed columns drops most of the box before
    the join on service, so the table is read only for those left; the exact haversine test
    is done here.
    """
    hp = HelperProfile
    # Squared km per squared degree; slack of 4 % + 100 m so that the flat-earth figure never
    # drops a helper that haversine would keep.
    ky2 = KM_PER_DEGREE_LAT**2
    kx2 = ky2 * cos(radians(lat)) ** 2
    reach = hp.radius_km + 0.1
    near_enough = (hp.lat - lat) * (hp.lat - lat) * ky2 + (hp.lon - lon) * (
        hp.lon - lon
    ) * kx2 <= reach * reach * 1.04
    slot = AvailabilitySlot
    packed = slot.weekday * _PACK_DAY + slot.start_minute * _PACK_START + slot.end_minute
    slots = (
        select(func.aggregate_strings(sql_cast(packed, String), ","))
        .where(slot.person_id == hp.person_id)
        .scalar_subquery()
    )
    base = (
        select(
            hp.person_id,
            hp.lat,
            hp.lon,
            hp.radius_km,
            # Read, not filtered on: a filter on a column outside the index would make the
            # database read the table for every helper in the box.
            hp.active,
            Person.display_name,
            hp.languages,
            hp.verified_at.is_not(None),
            slots,
        )
        .join(
            HelperService,
            and_(HelperService.person_id == hp.person_id, HelperService.service == service),
        )
        .join(Person, Person.id == hp.person_id)
        .where(near_enough, Person.status != PersonStatus.suspended)
    )
    box = bounding_box(lat, lon, prefilter_km)
    near = base.where(
        hp.lat.between(box.min_lat, box.max_lat),
        hp.lon.between(box.min_lon, box.max_lon),
        hp.radius_km <= prefilter_km,
    )
    # Bounded on both sides so that SQLite, which cannot see the value, still guesses a
    # narrow range and walks the radius index rather than every helper of the service.
    wide = base.where(hp.radius_km > prefilter_km, hp.radius_km <= MAX_RADIUS_KM)
    found = []
    for (
        pid,
        h_lat,
        h_lon,
        radius,
        active,
        name,
        languages,
        verified,
        packed_slots,
    ) in session.execute(union_all(near, wide)):
        if not active:
            continue
        distance = haversine_km(lat, lon, h_lat, h_lon)
        if distance <= radius:
            found.append(
                Reachable(
                    pid,
                    distance,
                    name,
                    list(languages or ()),
                    bool(verified),
                    _unpack(packed_slots),
                )
            )
    return found


def _unpack(packed: str | None) -> WeeklySlots:
    if not packed:
        return {}
    rows = []
    for item in packed.split(","):
        day, rest = divmod(int(item), _PACK_DAY)
        start, end = divmod(rest, _PACK_START)
        rows.append((day, start, end))
    return merge_slots(rows)


def _as_helper() -> Any:
    # Only ratings a person received for help they gave, not as a requester.
    return and_(HelpRequest.id == Rating.request_id, HelpRequest.helper_id == Rating.ratee_id)


@dataclass(slots=True)
class Counts:
    ratings: int = 0
    stars: int = 0
    jobs: int = 0  # assigned since the start of the load window
    offers: int = 0  # offered and not taken since then


def counts(session: Session, ids: Sequence[int], since: datetime) -> dict[int, Counts]:
    """Ratings received and recent load, in one round trip for the whole batch."""
    ratings = (
        select(literal("r"), Rating.ratee_id, func.count(), func.sum(Rating.stars))
        .join(HelpRequest, _as_helper())
        .where(one_of(session, Rating.ratee_id, ids))
        .group_by(Rating.ratee_id)
    )
    jobs = (
        select(literal("j"), HelpRequest.helper_id, func.count(), literal(0))
        .where(one_of(session, HelpRequest.helper_id, ids), HelpRequest.assigned_at >= since)
        .group_by(HelpRequest.helper_id)
    )
    offers = (
        select(literal("o"), Offer.helper_id, func.count(), literal(0))
        .where(
            one_of(session, Offer.helper_id, ids),
            Offer.created_at >= since,
            Offer.status != OfferStatus.accepted,
        )
        .group_by(Offer.helper_id)
    )
    out: dict[int, Counts] = {}
    rows = cast(Sequence[tuple[Any, ...]], session.execute(union_all(ratings, jobs, offers)).all())
    for row in rows:
        kind, pid, n, stars = str(row[0]), int(row[1]), int(row[2]), int(row[3] or 0)
        c = out.setdefault(pid, Counts())
        if kind == "r":
            c.ratings, c.stars = n, stars
        elif kind == "j":
            c.jobs = n
        else:
            c.offers = n
    return out


def latest_stars_given(session: Session, requester_id: int) -> dict[int, int]:
    """helper id -> the stars this requester gave them the last time they helped."""
    stmt = (
        select(Rating.ratee_id, Rating.stars)
        .join(HelpRequest, _as_helper())
        .where(Rating.rater_id == requester_id, HelpRequest.requester_id == requester_id)
        .order_by(Rating.created_at, Rating.id)
    )
    return {pid: stars for pid, stars in session.execute(stmt)}


def refused_by(session: Session, request_id: int) -> Collection[int]:
    """Helpers who declined this request or let its offer expire: not asked again."""
    stmt = select(Offer.helper_id).where(
        Offer.request_id == request_id,
        Offer.status.in_((OfferStatus.declined, OfferStatus.expired)),
    )
    return set(session.scalars(stmt))
