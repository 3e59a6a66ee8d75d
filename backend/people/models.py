"""One person, every channel: identities, contact points, addresses, helper profiles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base, utcnow


class Role(StrEnum):
    resident = "resident"
    helper = "helper"
    dispatcher = "dispatcher"
    admin = "admin"


class ContactKind(StrEnum):
    phone = "phone"  # E.164, normalised with phonenumbers
    telegram = "telegram"  # Telegram user id, as a decimal string


class PersonStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    erased = "erased"  # GDPR erasure (backend/privacy/erasure.py): anonymous, never active again


SERVICES: tuple[str, ...] = (
    "errands",
    "diy",
    "gardening",
    "moving",
    "childcare",
    "pet_care",
    "transport",
    "tech_help",
    "paperwork",
    "companionship",
    "cleaning",
    "meals",
    "tutoring",
)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    status: Mapped[str] = mapped_column(String(16), default=PersonStatus.active)
    login: Mapped[str | None] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Loaded when first used: a conversation turn needs the person, rarely all of this.
    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="select"
    )
    contacts: Mapped[list[ContactPoint]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="select"
    )
    addresses: Mapped[list[Address]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="select"
    )
    helper_profile: Mapped[HelperProfile | None] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="select"
    )

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    @property
    def primary_address(self) -> Address | None:
        candidates = [a for a in self.addresses if a.is_primary] or self.addresses
        return candidates[0] if candidates else None

    def contact(self, kind: str) -> str | None:
        return next((c.value for c in self.contacts if c.kind == kind), None)


class PersonRole(Base):
    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    person: Mapped[Person] = relationship(back_populates="roles")


class ContactPoint(Base):
    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    person: Mapped[Person] = relationship(back_populates="contacts")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(12), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    neighbourhood: Mapped[str] = mapped_column(String(100), default="", index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    is_primary: Mapped[bool] = mapped_column(default=True)
    verified_at: Mapped[datetime | None] = mapped_column()
    person: Mapped[Person] = relationship(back_populates="addresses")

    def one_line(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.postcode} {self.city}".strip()) if p)


class HelperProfile(Base):
    """What a helper offers, where and when. lat/lon are copied from the home address
    (people.service.set_address), and copied on to each of the helper's services (see
    HelperService) so that the matching prefilter is a plain range scan on an index."""

    __tablename__ = "helper_profiles"
    __table_args__ = (
        # What helper_services' copies refer to (a foreign key needs a unique key to point at).
        UniqueConstraint("person_id", "lat", "lon", "radius_km"),
        CheckConstraint("radius_km > 0", name="radius_positive"),
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_km: Mapped[float] = mapped_column(Float, default=3.0)
    languages: Mapped[list[Any]] = mapped_column(default=lambda: ["fr"])
    active: Mapped[bool] = mapped_column(default=True)
    verified_at: Mapped[datetime | None] = mapped_column()
    bio: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="helper_profile")
    services: Mapped[list[HelperService]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    availability: Mapped[list[AvailabilitySlot]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def service_ids(self) -> list[str]:
        return sorted(s.service for s in self.services)


class HelperService(Base):
    """One service a helper offers, with copies of the profile's lat, lon and radius_km, so
    that matching finds the helpers of a service near a point in one index range scan.

    The copies are part of the foreign key to the profile, declared ON UPDATE CASCADE: the ORM
    fills them from the profile when a row is inserted, and the database itself rewrites them
    whenever the profile's values change, whoever changes them (ORM, Core, plain SQL). They
    cannot disagree with the profile; tests/test_people_service.py checks it.
    """

    __tablename__ = "helper_services"
    __table_args__ = (
        ForeignKeyConstraint(
            ["person_id", "lat", "lon", "radius_km"],
            [
                "helper_profiles.person_id",
                "helper_profiles.lat",
                "helper_profiles.lon",
                "helper_profiles.radius_km",
            ],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        # Helpers of a service near a point (radius_km and person_id ride along, so the
        # "does the radius reach?" test and the join need nothing but the index).
        Index("ix_helper_services_near", "service", "lat", "lon", "radius_km", "person_id"),
        # The few wide-radius helpers of a service, found by radius rather than by the box.
        Index("ix_helper_services_wide", "service", "radius_km", "lat", "lon", "person_id"),
    )

    person_id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_km: Mapped[float] = mapped_column(Float)


class AvailabilitySlot(Base):
    """A weekly window, in local time (Europe/Paris): weekday 0 = Monday, minutes from 00:00."""

    __tablename__ = "helper_availability"
    __table_args__ = (
        # Covering: matching reads every nearby helper's slots from the index alone.
        Index(
            "ix_helper_availability_person_id", "person_id", "weekday", "start_minute", "end_minute"
        ),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute < end_minute", name="window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("helper_profiles.person_id", ondelete="CASCADE")
    )
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class CodeStatus(StrEnum):
    """Where a one-time code is (backend/people/codes.py): postcards and phone codes."""

    pending = "pending"  # sent, waiting to be entered (it may have expired meanwhile)
    used = "used"  # entered correctly: what it proves is proven
    revoked = "revoked"  # replaced by a newer code for the same address or number
    locked = "locked"  # too many wrong attempts


PostcardStatus = CodeStatus


class PostcardCode(Base):
    """A code mailed on a postcard to an address; entering it proves the person lives there.

    Only a hash of the code is stored (see backend/people/postcards.py).
    """

    __tablename__ = "postcard_codes"
    # The pending card of an address is looked up on every code a person types.
    __table_args__ = (Index("ix_postcard_codes_address_status", "address_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=PostcardStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()  # used, revoked or locked


class PhoneCode(Base):
    """A code sent by SMS (or read by a call, to a landline) to a phone number, that someone
    who said the number is theirs (`claimant`, e.g. "telegram:123") must type back before
    they may act as the number's owner. Only a hash is stored (backend/people/phone_codes.py).
    """

    __tablename__ = "phone_codes"
    # The pending code of a claim is looked up on every code typed; the codes of a number in
    # the last hour are counted before another is sent.
    __table_args__ = (
        Index("ix_phone_codes_phone_claimant_status", "phone", "claimant", "status"),
        Index("ix_phone_codes_phone_issued_at", "phone", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(64))  # E.164
    claimant: Mapped[str] = mapped_column(String(80))
    code_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=CodeStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()  # used, revoked or locked


class PhonePreferences(Base):
    """What helps a person on the phone, learned from their calls (dialogues/phone_habits.py
    has the rules): the keys said first, a slower voice. A dispatcher sees and resets them."""

    __tablename__ = "phone_preferences"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    keypad_first: Mapped[bool] = mapped_column(default=False)
    slow_speech: Mapped[bool] = mapped_column(default=False)
    keypad_calls: Mapped[int] = mapped_column(Integer, default=0)  # calls that counted
    repeats: Mapped[int] = mapped_column(Integer, default=0)  # "répétez" asked, all calls
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
