"""Neighbourhood listings: post one, find the ones near you, close or expire them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import cos, radians
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.geo import EARTH_RADIUS_KM, haversine_km
from backend.jobs.service import schedule
from backend.listings.models import Listing, ListingKind, ListingStatus
from backend.listings.schemas import ListingCreate, ListingOut
from backend.people.models import Person, Role
from backend.people.service import get_person

# A listing nobody closes must not stay on the board forever.
DEFAULT_LIFETIME: dict[ListingKind, timedelta] = {
    ListingKind.offer: timedelta(days=30),
    ListingKind.request: timedelta(days=14),
    ListingKind.group_purchase: timedelta(days=14),
    ListingKind.alert: timedelta(days=7),
    ListingKind.event: timedelta(days=30),
}
EVENT_LINGERS = timedelta(hours=12)  # an event stays visible a little after it starts
MAX_LIFETIME = timedelta(days=365)
DEFAULT_RADIUS_KM = 2.0
KM_PER_DEGREE = 3.141592653589793 * EARTH_RADIUS_KM / 180

EXPIRY_SWEEP_JOB = "listings.expire"
EXPIRY_SWEEP_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class ListingHit:
    listing: Listing
    distance_km: float | None = None


def get_listing(session: Session, listing_id: int) -> Listing:
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound(f"listing {listing_id} not found")
    return listing


def create_listing(
    session: Session, author_id: int, data: ListingCreate, *, now: datetime | None = None
) -> Listing:
    """Post a listing; place and neighbourhood default to the author's home."""
    now = now or utcnow()
    author = get_person(session, author_id)
    kind = ListingKind(data.kind)
    title = data.title.strip()
    if not title:
        raise InvalidInput("a listing needs a title")
    if kind == ListingKind.event and data.starts_at is None:
        raise InvalidInput("an event needs starts_at (when it takes place)")
    expires_at = data.expires_at or _default_expiry(kind, data.starts_at, now)
    if expires_at <= now:
        raise InvalidInput("the expiry date must be in the future", expires_at=expires_at)
    if expires_at > now + MAX_LIFETIME:
        raise InvalidInput("a listing may stay up at most one year", expires_at=expires_at)
    if data.starts_at is not None and expires_at < data.starts_at:
        raise InvalidInput("the listing would expire before it starts")
    home = author.primary_address
    lat, lon = data.lat, data.lon
    if lat is None and home is not None:
        lat, lon = home.lat, home.lon
    listing = Listing(
        author_id=author.id,
        kind=kind,
        title=title,
        body=data.body.strip(),
        service=data.service,
        neighbourhood=(data.neighbourhood or (home.neighbourhood if home else "")).strip(),
        lat=lat,
        lon=lon,
        price_cents=data.price_cents,
        status=ListingStatus.active,
        starts_at=data.starts_at,
        expires_at=expires_at,
        created_at=now,
    )
    session.add(listing)
    session.flush()
    return listing


def _default_expiry(kind: ListingKind, starts_at: datetime | None, now: datetime) -> datetime:
    if kind == ListingKind.event and starts_at is not None:
        return starts_at + EVENT_LINGERS
    return now + DEFAULT_LIFETIME[kind]


def effective_status(listing: Listing, now: datetime) -> ListingStatus:
    """Expired as soon as its time is up, even before the sweep marks the row."""
    if (
        listing.status == ListingStatus.active
        and listing.expires_at is not None
        and listing.expires_at <= now
    ):
        return ListingStatus.expired
    return ListingStatus(listing.status)


def list_nearby(
    session: Session,
    *,
    now: datetime,
    kind: ListingKind | None = None,
    neighbourhood: str | None = None,
    near: tuple[float, float] | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ListingHit], int]:
    """Live listings (active, not expired), nearest first around `near`, else newest first.

    Returns one page of hits and the total number of matches.
    """
    stmt = _live(now)
    if kind is not None:
        stmt = stmt.where(Listing.kind == kind)
    if neighbourhood:
        stmt = stmt.where(func.lower(Listing.neighbourhood) == neighbourhood.strip().lower())
    if near is None:
        stmt = stmt.order_by(Listing.created_at.desc(), Listing.id.desc())
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.limit(limit).offset(offset))
        return [ListingHit(row) for row in rows], total
    # The box narrows the rows in SQL; the exact distance decides in Python.
    lat, lon = near
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(cos(radians(min(abs(lat) + dlat, 89.9))), 1e-6))
    stmt = stmt.where(
        Listing.lat.between(lat - dlat, lat + dlat), Listing.lon.between(lon - dlon, lon + dlon)
    )
    hits = []
    for row in session.scalars(stmt):
        assert row.lat is not None and row.lon is not None  # the box excludes NULLs
        distance = haversine_km(lat, lon, row.lat, row.lon)
        if distance <= radius_km:
            hits.append(ListingHit(row, distance))
    hits.sort(key=lambda h: (h.distance_km, -h.listing.id))
    return hits[offset : offset + limit], len(hits)


def _live(now: datetime) -> Select[Any]:
    return select(Listing).where(
        Listing.status == ListingStatus.active,
        or_(Listing.expires_at.is_(None), Listing.expires_at > now),
    )


def close_listing(
    session: Session, listing_id: int, actor: Person, *, now: datetime | None = None
) -> Listing:
    """The author (or a dispatcher) takes a listing down; closing twice changes nothing."""
    listing = get_listing(session, listing_id)
    if listing.author_id != actor.id and not actor.has_role(Role.dispatcher, Role.admin):
        raise Forbidden("only the author or a dispatcher may close this listing")
    status = effective_status(listing, now or utcnow())
    if status == ListingStatus.expired:
        raise Conflict("this listing has already expired", listing_id=listing.id)
    listing.status = ListingStatus.closed
    session.flush()
    return listing


def expire_listings(session: Session, now: datetime) -> int:
    """Mark active listings whose time is up as expired; returns how many."""
    result = session.execute(
        update(Listing)
        .where(Listing.status == ListingStatus.active, Listing.expires_at <= now)
        .values(status=ListingStatus.expired)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def schedule_expiry_sweep(session: Session, run_at: datetime) -> None:
    """At most one sweep per hour, whatever the number of instances asking for it."""
    slot = run_at.replace(minute=0, second=0, microsecond=0)
    schedule(
        session,
        EXPIRY_SWEEP_JOB,
        {},
        run_at=run_at,
        dedupe_key=f"{EXPIRY_SWEEP_JOB}:{slot:%Y%m%dT%H}",
    )


def expiry_sweep_job(session: Session, _payload: dict[str, Any], now: datetime) -> None:
    """Job handler (kind EXPIRY_SWEEP_JOB): sweep, then book the next sweep."""
    expire_listings(session, now)
    schedule_expiry_sweep(session, now + EXPIRY_SWEEP_EVERY)


def to_out(session: Session, hits: Iterable[ListingHit], *, now: datetime) -> list[ListingOut]:
    hits = list(hits)
    ids = {h.listing.author_id for h in hits}
    names: dict[int, str] = {}
    if ids:
        stmt = select(Person.id, Person.display_name).where(Person.id.in_(ids))
        names = {pid: name for pid, name in session.execute(stmt)}
    return [_out(h, names.get(h.listing.author_id, ""), now) for h in hits]


def _out(hit: ListingHit, author_name: str, now: datetime) -> ListingOut:
    listing = hit.listing
    return ListingOut(
        id=listing.id,
        kind=ListingKind(listing.kind),
        title=listing.title,
        body=listing.body,
        service=listing.service,
        neighbourhood=listing.neighbourhood,
        # ~100 m: enough to know it is round the corner, not enough to find the door.
        lat=round(listing.lat, 3) if listing.lat is not None else None,
        lon=round(listing.lon, 3) if listing.lon is not None else None,
        price_cents=listing.price_cents,
        status=effective_status(listing, now),
        starts_at=listing.starts_at,
        expires_at=listing.expires_at,
        created_at=listing.created_at,
        author_id=listing.author_id,
        author_first_name=author_name.split()[0] if author_name.split() else "",
        distance_km=round(hit.distance_km, 1) if hit.distance_km is not None else None,
    )
