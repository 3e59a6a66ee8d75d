"""Test factories: realistic rows built through the domain services, not by hand."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session

from backend.people.models import Person, Role
from backend.people.schemas import AddressIn, AvailabilityIn, HelperProfileIn, PersonCreate
from backend.people.service import create_person
from backend.requests.models import HelpRequest
from backend.requests.schemas import HelpRequestCreate
from backend.requests.service import create_request

_seq = itertools.count(1)

# Place de la République, Lyon: the neighbourhood the tests live in.
CENTRE = (45.7640, 4.8357)

EVERY_DAY_ALL_DAY = [
    AvailabilityIn(weekday=d, start_minute=8 * 60, end_minute=20 * 60) for d in range(7)
]


def make_resident(
    session: Session,
    name: str | None = None,
    *,
    lat: float = CENTRE[0],
    lon: float = CENTRE[1],
    phone: str | None = None,
    telegram_id: int | None = None,
    language: str = "fr",
) -> Person:
    n = next(_seq)
    return create_person(
        session,
        PersonCreate(
            display_name=name or f"Résident {n}",
            language=language,
            phone=phone,
            telegram_id=telegram_id,
            address=AddressIn(
                street=f"{n} rue de la République",
                postcode="69002",
                city="Lyon",
                neighbourhood="Presqu'île",
                lat=lat,
                lon=lon,
            ),
        ),
    )


def make_helper(
    session: Session,
    name: str | None = None,
    *,
    services: list[str] | None = None,
    lat: float = CENTRE[0],
    lon: float = CENTRE[1],
    radius_km: float = 5.0,
    availability: list[AvailabilityIn] | None = None,
    languages: list[str] | None = None,
    phone: str | None = None,
    telegram_id: int | None = None,
) -> Person:
    n = next(_seq)
    return create_person(
        session,
        PersonCreate(
            display_name=name or f"Aidant {n}",
            roles=[Role.resident, Role.helper],
            phone=phone,
            telegram_id=telegram_id,
            address=AddressIn(
                street=f"{n} rue Mercière",
                postcode="69002",
                city="Lyon",
                neighbourhood="Presqu'île",
                lat=lat,
                lon=lon,
            ),
            helper=HelperProfileIn(
                services=services or ["errands"],
                radius_km=radius_km,
                languages=languages or ["fr"],
                availability=availability if availability is not None else EVERY_DAY_ALL_DAY,
            ),
        ),
    )


def make_request(
    session: Session,
    requester: Person,
    *,
    service: str = "errands",
    details: str = "Des courses à la pharmacie",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    **extra: object,
) -> HelpRequest:
    return create_request(
        session,
        HelpRequestCreate(
            requester_id=requester.id,
            service=service,
            details=details,
            window_start=window_start,
            window_end=window_end,
            **extra,  # type: ignore[arg-type]
        ),
    )
