"""Listings: neighbours post and browse; the author or a dispatcher closes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api_deps import CurrentUser, PageDep, SessionDep
from backend.db import utcnow
from backend.errors import InvalidInput
from backend.listings.models import ListingKind
from backend.listings.schemas import ListingCreate, ListingOut
from backend.listings.service import (
    DEFAULT_RADIUS_KM,
    ListingHit,
    close_listing,
    create_listing,
    get_listing,
    list_nearby,
    to_out,
)
from backend.pagination import PageOf
from backend.validation import DbId

router = APIRouter(prefix="/listings", tags=["listings"])


@router.post("", response_model=ListingOut, status_code=201)
def create(session: SessionDep, data: ListingCreate, user: CurrentUser) -> ListingOut:
    now = utcnow()
    return to_out(session, [ListingHit(create_listing(session, user.id, data, now=now))], now=now)[
        0
    ]


@router.get("", response_model=PageOf[ListingOut])
def browse(
    session: SessionDep,
    _user: CurrentUser,
    page: PageDep,
    kind: ListingKind | None = None,
    near: Annotated[
        str | None,
        Query(max_length=60, description="lat,lon: nearest first", examples=["45.7745,4.832"]),
    ] = None,
    radius_km: Annotated[float, Query(gt=0, le=50, description="with near")] = DEFAULT_RADIUS_KM,
    neighbourhood: Annotated[str | None, Query(max_length=100)] = None,
) -> PageOf[ListingOut]:
    """Live listings only (active and not expired)."""
    now = utcnow()
    hits, total = list_nearby(
        session,
        now=now,
        kind=kind,
        neighbourhood=neighbourhood,
        near=_parse_point(near) if near else None,
        radius_km=radius_km,
        limit=page.limit,
        offset=page.offset,
    )
    return PageOf[ListingOut](
        items=to_out(session, hits, now=now), total=total, limit=page.limit, offset=page.offset
    )


@router.get("/{listing_id}", response_model=ListingOut)
def read(session: SessionDep, listing_id: DbId, _user: CurrentUser) -> ListingOut:
    return to_out(session, [ListingHit(get_listing(session, listing_id))], now=utcnow())[0]


@router.post("/{listing_id}/close", response_model=ListingOut)
def close(session: SessionDep, listing_id: DbId, user: CurrentUser) -> ListingOut:
    now = utcnow()
    listing = close_listing(session, listing_id, user, now=now)
    return to_out(session, [ListingHit(listing)], now=now)[0]


def _parse_point(text: str) -> tuple[float, float]:
    try:
        lat_text, lon_text = text.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise InvalidInput("near must be 'lat,lon', e.g. 45.7745,4.832", near=text) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("near is off the map: lat in [-90, 90], lon in [-180, 180]", near=text)
    return lat, lon
