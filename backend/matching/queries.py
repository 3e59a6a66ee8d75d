"""The database side of matching: one prefilter query, then one query per kind of fact for a
batch of candidates (never one query per helper)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from math import cos, radians
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    BindParameter,
    CompoundSelect,
    Float,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    null,
    select,
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


# Every statement here is built once, with bound parameters, and reused: building and hashing
# a statement costs about as much as SQLite running it.
#
# On PostgreSQL, psycopg prepares a statement on the server after its 5th execution on a
# connection, and the server then switches to a generic plan (made without seeing the
# values) when that plan looks no dearer. That is what we want, and there is no need to force
# a custom plan per execution (as an earlier version did with plan_cache_mode): the generic
# plans of these statements have no choice to get wrong. Each reads one index range on
# helper_services (no other index holds the service and the place), then joins by primary
# key, and with the default selectivity of unseen ranges they are nested loops, which is
# also the right plan for any real point. Custom plans were in fact worse: for a busy
# service they hash-joined a sequential scan of every helper profile, and they cost ~0.8 ms
# of planning at each call. tests/matching/test_matching_plans.py checks the plans.


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _one_of(column: Any, on_postgresql: bool) -> Any:
    """`column IN :ids` with the ids as one bound value (an array on PostgreSQL, a JSON list
    on SQLite, see _ids): binding hundreds of parameters one by one costs more than the query
    itself, and the statement stays the same whatever the number of ids."""
    if on_postgresql:
        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    ids = func.json_each(bindparam("ids", type_=String))
    return column.in_(select(literal_column("value")).select_from(ids))


def _ids(ids: Sequence[int], on_postgresql: bool) -> list[int] | str:
    return list(ids) if on_postgresql else json.dumps(list(ids))


@dataclass(frozen=True, slots=True)
class Reachable:
    helper_id: int
    distance_km: float
    languages: tuple[str, ...]
    verified: bool
    slots: WeeklySlots


# A weekly slot packed into one integer, so that a helper's slots travel as one string.
_PACK_DAY, _PACK_START = 100_000_000, 10_000


@cache
def _reachable_statement() -> CompoundSelect:
    """The prefilter (see reachable_helpers).

    helper_services carries copies of each helper's lat, lon and radius_km (see the model), so
    each half is one index range scan on that table: helpers of the service with an ordinary
    radius inside the box (ix_helper_services_near), and the rare wide-radius ones
    (ix_helper_services_wide). A flat-earth distance test on the indexed columns drops most of
    the box before anything else is read; the profile and the slots are read only for those
    left (a few hundred), by primary key. The person (name, suspension) is read later, with
    the ratings and load of the few who can still make the top (see counts).
    """
    hs, hp, slot = HelperService, HelperProfile, AvailabilitySlot
    lat, lon = bindparam("lat", type_=Float), bindparam("lon", type_=Float)
    prefilter_km = bindparam("prefilter_km", type_=Float)
    # Squared km per squared degree of latitude and of longitude (the latter at the request's
    # latitude); slack of 4 % + 100 m so that the flat-earth figure never drops a helper that
    # haversine would keep.
    ky2, kx2 = bindparam("ky2", type_=Float), bindparam("kx2", type_=Float)
    reach = hs.radius_km + 0.1
    near_enough = (hs.lat - lat) * (hs.lat - lat) * ky2 + (hs.lon - lon) * (
        hs.lon - lon
    ) * kx2 <= reach * reach * 1.04
    packed = slot.weekday * _PACK_DAY + slot.start_minute * _PACK_START + slot.end_minute
    slots = (
        select(func.aggregate_strings(sql_cast(packed, String), ","))
        .where(slot.person_id == hs.person_id)
        .scalar_subquery()
    )
    base = (
        select(
            hs.person_id,
            hs.lat,
            hs.lon,
            hs.radius_km,
            # As JSON text: a handful of distinct lists, each decoded once (_languages).
            sql_cast(hp.languages, String),
            hp.verified_at.is_not(None),
            slots,
        )
        .join(hp, hp.person_id == hs.person_id)
        .where(hs.service == bindparam("service", type_=String), near_enough, hp.active.is_(True))
    )
    near = base.where(
        hs.lat.between(bindparam("min_lat", type_=Float), bindparam("max_lat", type_=Float)),
        hs.lon.between(bindparam("min_lon", type_=Float), bindparam("max_lon", type_=Float)),
        hs.radius_km <= prefilter_km,
    )
    # Bounded on both sides so that a planner that cannot see the values (SQLite, and
    # PostgreSQL's generic plan) still guesses a narrow range and walks the radius index
    # rather than every helper of the service.
    wide = base.where(hs.radius_km > prefilter_km, hs.radius_km <= MAX_RADIUS_KM)
    return union_all(near, wide)


def reachable_helpers(
    session: Session, service: str, lat: float, lon: float, prefilter_km: float
) -> list[Reachable]:
    """Every active helper offering `service` whose own radius reaches (lat, lon), with their
    profile's languages, verification and weekly slots in one row (suspension is checked in
    `counts`, for the few who are read further).

    Helpers with a radius up to `prefilter_km` are searched in a box of that half-size, the
    others by radius (see _reachable_statement); the exact haversine test is done here.
    """
    box = bounding_box(lat, lon, prefilter_km)
    ky2 = KM_PER_DEGREE_LAT**2
    params = {
        "service": service,
        "lat": lat,
        "lon": lon,
        "ky2": ky2,
        "kx2": ky2 * cos(radians(lat)) ** 2,
        "prefilter_km": prefilter_km,
        "min_lat": box.min_lat,
        "max_lat": box.max_lat,
        "min_lon": box.min_lon,
        "max_lon": box.max_lon,
    }
    rows = session.execute(_reachable_statement(), params).all()
    found = []
    for pid, h_lat, h_lon, radius, languages, verified, packed_slots in rows:
        distance = haversine_km(lat, lon, h_lat, h_lon)
        if distance <= radius:
            found.append(
                Reachable(
                    pid,
                    distance,
                    _languages(languages),
                    bool(verified),
                    _unpack(packed_slots),
                )
            )
    return found


_LANGUAGE_LISTS: dict[str, tuple[str, ...]] = {}


def _languages(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    found = _LANGUAGE_LISTS.get(raw)
    if found is None:
        if len(_LANGUAGE_LISTS) > 1_000:  # never seen in practice; keep the memo bounded
            _LANGUAGE_LISTS.clear()
        found = _LANGUAGE_LISTS[raw] = tuple(json.loads(raw))
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
    display_name: str = ""
    suspended: bool = False
    ratings: int = 0
    stars: int = 0
    jobs: int = 0  # assigned since the start of the load window
    offers: int = 0  # offered and not taken since then


@cache
def _counts_statement(on_postgresql: bool) -> CompoundSelect:
    ids = partial(_one_of, on_postgresql=on_postgresql)
    since: BindParameter[datetime] = bindparam("since")
    suspended = Person.status == PersonStatus.suspended
    people = select(
        case((suspended, literal("s")), else_=literal("p")),
        Person.id,
        literal(0),
        literal(0),
        Person.display_name,
    ).where(ids(Person.id))
    no_name = sql_cast(null(), String)
    ratings = (
        select(literal("r"), Rating.ratee_id, func.count(), func.sum(Rating.stars), no_name)
        .join(HelpRequest, _as_helper())
        .where(ids(Rating.ratee_id))
        .group_by(Rating.ratee_id)
    )
    jobs = (
        select(literal("j"), HelpRequest.helper_id, func.count(), literal(0), no_name)
        .where(ids(HelpRequest.helper_id), HelpRequest.assigned_at >= since)
        .group_by(HelpRequest.helper_id)
    )
    offers = (
        select(literal("o"), Offer.helper_id, func.count(), literal(0), no_name)
        .where(
            ids(Offer.helper_id),
            Offer.created_at >= since,
            Offer.status != OfferStatus.accepted,
        )
        .group_by(Offer.helper_id)
    )
    return union_all(people, ratings, jobs, offers)


def counts(session: Session, ids: Sequence[int], since: datetime) -> dict[int, Counts]:
    """Name and standing, ratings received and recent load, in one round trip for the whole
    batch (every id gets an entry: they are people)."""
    on_postgresql = _on_postgresql(session)
    params = {"ids": _ids(ids, on_postgresql), "since": since}
    out: dict[int, Counts] = {}
    rows = cast(
        Sequence[tuple[Any, ...]],
        session.execute(_counts_statement(on_postgresql), params).all(),
    )
    for row in rows:
        kind, pid, n, stars = str(row[0]), int(row[1]), int(row[2]), int(row[3] or 0)
        c = out.setdefault(pid, Counts())
        if kind in ("p", "s"):
            c.display_name, c.suspended = str(row[4]), kind == "s"
        elif kind == "r":
            c.ratings, c.stars = n, stars
        elif kind == "j":
            c.jobs = n
        else:
            c.offers = n
    return out


_LATEST_STARS_GIVEN = (
    select(Rating.ratee_id, Rating.stars)
    .join(HelpRequest, _as_helper())
    .where(
        Rating.rater_id == bindparam("requester_id"),
        HelpRequest.requester_id == bindparam("requester_id"),
    )
    .order_by(Rating.created_at, Rating.id)
)


def latest_stars_given(session: Session, requester_id: int) -> dict[int, int]:
    """helper id -> the stars this requester gave them the last time they helped."""
    rows = session.execute(_LATEST_STARS_GIVEN, {"requester_id": requester_id})
    return {pid: stars for pid, stars in rows}


_REFUSED_BY = select(Offer.helper_id).where(
    Offer.request_id == bindparam("request_id"),
    Offer.status.in_((OfferStatus.declined, OfferStatus.expired)),
)


def refused_by(session: Session, request_id: int) -> Collection[int]:
    """Helpers who declined this request or let its offer expire: not asked again."""
    return set(session.scalars(_REFUSED_BY, {"request_id": request_id}))
