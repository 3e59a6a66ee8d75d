"""Vouching: a verified neighbour says that a person really lives at their address.

The rule: a voucher is an active person whose own primary address is verified and who
lives near the person (the same neighbourhood, or within `NEAR_KM` as the crow flies).
Nobody vouches for themselves, and a voucher vouches once for a given address. When the
person's primary address has `VOUCHES_TO_VERIFY` vouches, it becomes verified
(`Address.verified_at`), exactly as if the person had entered a postcard code. A vouch is
for an address: after a move, the new address needs its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import Conflict, InvalidInput
from backend.geo import haversine_km
from backend.matching.geo import bounding_box
from backend.people.models import Address, Person, PersonStatus
from backend.people.service import get_person
from backend.trust.models import Vouch

NEAR_KM = 1.0
VOUCHES_TO_VERIFY = 2


@dataclass(frozen=True)
class VouchSummary:
    voucher_id: int
    voucher_name: str
    created_at: datetime
    note: str
    current_address: bool  # False: given for an address the person has since left


@dataclass(frozen=True)
class Neighbour:
    """A verified neighbour who may vouch (for the console's dropdown)."""

    person_id: int
    display_name: str
    neighbourhood: str
    distance_km: float | None  # None: same neighbourhood, coordinates unknown


def vouch(
    session: Session,
    person_id: int,
    voucher_id: int,
    *,
    recorded_by: int,
    note: str = "",
    now: datetime | None = None,
) -> Vouch:
    """Record that `voucher_id` vouches for where `person_id` lives (see the module's rule).

    The second vouch for the person's primary address verifies it. Raises NotFound (unknown
    person, voucher or recorder), InvalidInput (reason "self", "voucher_inactive",
    "voucher_unverified" or "too_far"), Conflict (reason "no_address": the person has no
    address; "already_vouched": this voucher already vouched for this address).
    """
    now = now or utcnow()
    if voucher_id == person_id:
        raise InvalidInput("nobody can vouch for themselves", reason="self")
    address = get_person(session, person_id).primary_address
    if address is None:
        raise Conflict("this person has no address to vouch for", reason="no_address")
    # Held to the end of the transaction, so that of two vouches at once the second counts both.
    session.get(Address, address.id, with_for_update=True)
    voucher = get_person(session, voucher_id)
    _check_voucher(voucher, address)
    get_person(session, recorded_by)
    if _existing(session, address.id, voucher_id) is not None:
        raise _already(voucher)
    given = Vouch(
        person_id=person_id,
        address_id=address.id,
        voucher_id=voucher_id,
        recorded_by_id=recorded_by,
        note=note.strip(),
        created_at=now,
    )
    try:
        # A savepoint: losing a race to the unique constraint must not undo the caller's work.
        with session.begin_nested():
            session.add(given)
    except IntegrityError:
        if _existing(session, address.id, voucher_id) is None:
            raise
        raise _already(voucher) from None
    count = session.scalar(select(func.count(Vouch.id)).where(Vouch.address_id == address.id)) or 0
    if count >= VOUCHES_TO_VERIFY and address.verified_at is None:
        address.verified_at = now
    session.flush()
    return given


def vouches_for(session: Session, person_id: int) -> list[VouchSummary]:
    """Every vouch the person received, newest first, with the voucher's name."""
    home = get_person(session, person_id).primary_address
    rows = session.execute(
        select(Vouch, Person.display_name)
        .join(Person, Person.id == Vouch.voucher_id)
        .where(Vouch.person_id == person_id)
        .order_by(Vouch.created_at.desc(), Vouch.id.desc())
    )
    return [
        VouchSummary(
            voucher_id=given.voucher_id,
            voucher_name=name,
            created_at=given.created_at,
            note=given.note,
            current_address=home is not None and given.address_id == home.id,
        )
        for given, name in rows
    ]


def eligible_vouchers(session: Session, person_id: int, limit: int = 20) -> list[Neighbour]:
    """Verified neighbours who could vouch for the person's address and have not yet;
    nearest first (those known only by neighbourhood last), then by name."""
    person = get_person(session, person_id)
    home = person.primary_address
    if home is None:
        return []
    near = []
    if home.neighbourhood.strip():
        near.append(func.lower(Address.neighbourhood) == home.neighbourhood.strip().lower())
    if home.lat is not None and home.lon is not None:
        box = bounding_box(home.lat, home.lon, NEAR_KM)  # the exact distance is checked below
        near.append(
            and_(
                Address.lat.between(box.min_lat, box.max_lat),
                Address.lon.between(box.min_lon, box.max_lon),
            )
        )
    if not near:
        return []
    already = select(Vouch.voucher_id).where(Vouch.address_id == home.id)
    candidates = session.execute(
        select(Person, Address)
        .join(Address, Address.person_id == Person.id)
        .where(
            Person.id != person_id,
            Person.status == PersonStatus.active,
            Address.is_primary.is_(True),
            Address.verified_at.is_not(None),
            Person.id.not_in(already),
            or_(*near),
        )
    )
    found = []
    for neighbour, address in candidates:
        distance = _distance_km(home, address)
        if _near(home, address, distance):
            found.append(
                Neighbour(neighbour.id, neighbour.display_name, address.neighbourhood, distance)
            )
    found.sort(key=lambda n: (n.distance_km is None, n.distance_km or 0.0, n.display_name))
    return found[:limit]


def _check_voucher(voucher: Person, home: Address) -> None:
    if voucher.status != PersonStatus.active:
        raise InvalidInput(
            f"{voucher.display_name} is not active and cannot vouch", reason="voucher_inactive"
        )
    theirs = voucher.primary_address
    if theirs is None or theirs.verified_at is None:
        raise InvalidInput(
            f"{voucher.display_name}'s own address is not verified, so they cannot vouch yet",
            reason="voucher_unverified",
        )
    distance = _distance_km(home, theirs)
    if not _near(home, theirs, distance):
        raise InvalidInput(
            f"{voucher.display_name} does not live near enough to vouch "
            f"(another neighbourhood, more than {NEAR_KM:g} km away)",
            reason="too_far",
            distance_km=round(distance, 2) if distance is not None else None,
        )


def _near(home: Address, theirs: Address, distance_km: float | None) -> bool:
    """The module's rule: the same neighbourhood, or within NEAR_KM."""
    return _same_neighbourhood(home, theirs) or (distance_km is not None and distance_km <= NEAR_KM)


def _same_neighbourhood(a: Address, b: Address) -> bool:
    name = a.neighbourhood.strip().lower()
    return bool(name) and name == b.neighbourhood.strip().lower()


def _distance_km(a: Address, b: Address) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def _existing(session: Session, address_id: int, voucher_id: int) -> Vouch | None:
    return session.scalar(
        select(Vouch).where(Vouch.address_id == address_id, Vouch.voucher_id == voucher_id)
    )


def _already(voucher: Person) -> Conflict:
    return Conflict(
        f"{voucher.display_name} has already vouched for this address", reason="already_vouched"
    )
