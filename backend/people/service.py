"""People: create, find by any contact point, link identities, helper profiles; search,
verify helpers, suspend and reinstate."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import datetime

from sqlalchemy import ColumnElement, and_, not_, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from backend.auth.passwords import hash_password
from backend.auth.service import revoke_all_tokens
from backend.db import utcnow
from backend.errors import Conflict, InvalidInput, NotFound
from backend.pagination import paginate
from backend.people.models import (
    Address,
    AvailabilitySlot,
    ContactKind,
    ContactPoint,
    HelperProfile,
    HelperService,
    Person,
    PersonRole,
    PersonStatus,
    Role,
)
from backend.people.phones import normalise_phone
from backend.people.schemas import (
    AddressIn,
    AddressOut,
    AvailabilityIn,
    HelperProfileIn,
    HelperProfileOut,
    PersonCreate,
    PersonOut,
    PersonPublic,
)


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"person {person_id} not found")
    return person


def find_by_contact(session: Session, kind: str, value: str) -> Person | None:
    if kind == ContactKind.phone:
        value = normalise_phone(value)
    return session.scalar(
        select(Person)
        .join(ContactPoint)
        .where(ContactPoint.kind == kind, ContactPoint.value == value)
    )


def _typed_unproven() -> ColumnElement[bool]:
    """A phone contact nothing proved, on a person a Telegram chat registered (their Telegram
    account is verified): before every typed number had to be proven by a code, such a
    number was kept as typed, and anyone could type anyone's. Staff-entered numbers
    (`create_person`: console, API, imports) are unverified too, but on people whose Telegram
    id, if any, is also unverified; callers' own numbers and proven ones are verified."""
    telegram = aliased(ContactPoint)
    return and_(
        ContactPoint.verified.is_(False),
        select(telegram.id)
        .where(
            telegram.person_id == ContactPoint.person_id,
            telegram.kind == ContactKind.telegram,
            telegram.verified.is_(True),
        )
        .exists(),
    )


def find_by_caller_id(session: Session, phone: str) -> Person | None:
    """Who calls or texts from `phone`: the person with that number, unless it is one a
    Telegram chat typed and never proved (its real owner must not land in that account).
    Raises InvalidInput for what is not a number (a withheld caller id)."""
    return session.scalar(
        select(Person)
        .join(ContactPoint)
        .where(
            ContactPoint.kind == ContactKind.phone,
            ContactPoint.value == normalise_phone(phone),
            not_(_typed_unproven()),
        )
    )


def release_unproven_phone(session: Session, phone: str) -> bool:
    """The number's owner proved it (they call from it): a typed, never proven claim on it
    by someone else gives way. True when one did. Not a number: nothing to release."""
    try:
        e164 = normalise_phone(phone)
    except InvalidInput:
        return False
    contact = session.scalar(
        select(ContactPoint).where(
            ContactPoint.kind == ContactKind.phone, ContactPoint.value == e164, _typed_unproven()
        )
    )
    if contact is None:
        return False
    contact.person.contacts.remove(contact)  # deleted with it (delete-orphan)
    session.flush()
    return True


def add_contact(
    session: Session, person: Person, kind: str, value: str, *, verified: bool = False
) -> ContactPoint:
    """Attach a phone or Telegram id; refuses one that already belongs to someone else."""
    if kind == ContactKind.phone:
        value = normalise_phone(value)
    existing = session.scalar(
        select(ContactPoint).where(ContactPoint.kind == kind, ContactPoint.value == value)
    )
    if existing is not None:
        if existing.person_id != person.id:
            raise Conflict(f"this {kind} already belongs to another person")
        existing.verified = existing.verified or verified
        return existing
    contact = ContactPoint(kind=kind, value=value, verified=verified)
    person.contacts.append(contact)
    session.flush()
    return contact


def create_person(session: Session, data: PersonCreate) -> Person:
    person = Person(display_name=data.display_name.strip(), language=data.language)
    if data.login:
        if session.scalar(select(Person.id).where(Person.login == data.login)) is not None:
            raise Conflict(f"login {data.login!r} is taken")
        person.login = data.login
    if data.password:
        person.password_hash = hash_password(data.password)
    roles = set(data.roles) | ({Role.helper} if data.helper else set())
    person.roles = [PersonRole(role=str(r)) for r in sorted(roles)]
    session.add(person)
    session.flush()
    if data.phone:
        add_contact(session, person, ContactKind.phone, data.phone)
    if data.telegram_id is not None:
        add_contact(session, person, ContactKind.telegram, str(data.telegram_id))
    if data.address:
        set_address(session, person, data.address)
    if data.helper:
        set_helper_profile(session, person, data.helper)
    session.flush()
    return person


def set_address(session: Session, person: Person, data: AddressIn) -> Address:
    """The new address becomes the primary one; older ones stay for history."""
    for old in person.addresses:
        old.is_primary = False
    address = Address(**data.model_dump(), is_primary=True)
    person.addresses.append(address)
    session.flush()
    if person.helper_profile and address.lat is not None and address.lon is not None:
        person.helper_profile.lat, person.helper_profile.lon = address.lat, address.lon
    return address


def set_helper_profile(session: Session, person: Person, data: HelperProfileIn) -> HelperProfile:
    home = person.primary_address
    if home is None or home.lat is None or home.lon is None:
        raise Conflict("a helper needs an address with coordinates first")
    profile = person.helper_profile
    if profile is None:
        profile = HelperProfile(person_id=person.id, lat=home.lat, lon=home.lon)
        session.add(profile)
        person.helper_profile = profile
    profile.radius_km = data.radius_km
    profile.languages = list(data.languages)
    profile.bio = data.bio
    profile.services = [HelperService(service=s) for s in data.services]
    profile.availability = [AvailabilitySlot(**slot.model_dump()) for slot in data.availability]
    if Role.helper not in person.role_names:
        person.roles.append(PersonRole(role=Role.helper))
    session.flush()
    return profile


def _helper_out(profile: HelperProfile | None) -> HelperProfileOut | None:
    if profile is None:
        return None
    return HelperProfileOut(
        services=profile.service_ids,
        radius_km=profile.radius_km,
        languages=list(profile.languages),
        verified=profile.verified_at is not None,
        active=profile.active,
        availability=[
            AvailabilityIn(weekday=s.weekday, start_minute=s.start_minute, end_minute=s.end_minute)
            for s in sorted(profile.availability, key=lambda s: (s.weekday, s.start_minute))
        ],
    )


def to_public(person: Person) -> PersonPublic:
    home = person.primary_address
    return PersonPublic(
        id=person.id,
        display_name=person.display_name,
        language=person.language,
        roles=sorted(person.role_names),
        neighbourhood=home.neighbourhood if home else None,
        helper=_helper_out(person.helper_profile),
    )


def to_out(person: Person) -> PersonOut:
    home = person.primary_address
    telegram = person.contact(ContactKind.telegram)
    return PersonOut(
        **to_public(person).model_dump(),
        status=person.status,
        phone=person.contact(ContactKind.phone),
        telegram_id=int(telegram) if telegram else None,
        address=AddressOut.model_validate(home) if home else None,
        created_at=person.created_at,
    )


_PHONE_PUNCTUATION = re.compile(r"[\s.\-/()]")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching(q: str) -> ColumnElement[bool]:
    """A name containing `q`, or a phone or Telegram id containing it, however it was typed:
    '04 65 71 89 39' and '0465718939' find +33465718939, '71 89 39' finds it too."""
    contact: list[ColumnElement[bool]] = [ContactPoint.value.like(_like(q), escape="\\")]
    digits = _PHONE_PUNCTUATION.sub("", q)
    if not any(c.isalpha() for c in q):
        with suppress(InvalidInput):  # not a whole number: the parts below may still match
            contact.append(ContactPoint.value == normalise_phone(q))
        if digits.isdigit() and digits != q:
            contact.append(ContactPoint.value.like(_like(digits), escape="\\"))
        if digits.isdigit() and len(digits) >= 3 and digits[0] == "0" and digits[1] != "0":
            # A French national prefix: the stored number has +33 instead of the 0.
            contact.append(ContactPoint.value.like(_like(digits[1:]), escape="\\"))
    return or_(
        Person.display_name.ilike(_like(q), escape="\\"),
        Person.id.in_(select(ContactPoint.person_id).where(or_(*contact))),
    )


def search_people(
    session: Session,
    *,
    q: str | None = None,
    role: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = False,
) -> tuple[list[Person], int]:
    """One page of people by id (or the newest members first, ties by id so that pages never
    overlap), with what a listing shows loaded in a few queries; and the number of people
    matching. `q` is a name or a phone number (see `_matching`)."""
    order = (Person.created_at.desc(), Person.id.desc()) if newest_first else (Person.id,)
    stmt = select(Person).order_by(*order)
    if q and q.strip():
        stmt = stmt.where(_matching(q.strip()))
    if role:
        stmt = stmt.where(
            Person.id.in_(select(PersonRole.person_id).where(PersonRole.role == role))
        )
    if status:
        stmt = stmt.where(Person.status == status)
    stmt = stmt.options(
        selectinload(Person.roles),
        selectinload(Person.contacts),
        selectinload(Person.addresses),
        selectinload(Person.helper_profile),
    )
    return paginate(session, stmt, limit, offset)


def verify_helper_profile(
    session: Session, person_id: int, *, now: datetime | None = None
) -> Person:
    """A dispatcher has checked who a helper is (met them, saw their papers). Verifying again
    keeps the first date. Raises NotFound, Conflict (reason "no_helper_profile")."""
    person = get_person(session, person_id)
    profile = person.helper_profile
    if profile is None:
        raise Conflict("this person has no helper profile to verify", reason="no_helper_profile")
    profile.verified_at = profile.verified_at or now or utcnow()
    session.flush()
    return person


def suspend_person(
    session: Session, person_id: int, *, actor_id: int, now: datetime | None = None
) -> Person:
    """The person may no longer use the service, and every session they had ends now: their
    tokens are revoked, so reinstating them later does not bring an old session back.
    Raises NotFound, Conflict (reason "suspend_self")."""
    person = get_person(session, person_id)
    if person.id == actor_id:
        raise Conflict("you cannot suspend yourself", reason="suspend_self")
    person.status = PersonStatus.suspended
    revoke_all_tokens(session, person.id, now=now)
    session.flush()
    return person


def reinstate_person(session: Session, person_id: int) -> Person:
    """Active again; they log in anew (suspension revoked their tokens). Raises NotFound."""
    person = get_person(session, person_id)
    person.status = PersonStatus.active
    session.flush()
    return person
