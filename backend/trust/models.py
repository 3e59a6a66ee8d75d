"""Ratings after a job and reports of problems."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class ReportKind(StrEnum):
    no_show = "no_show"
    rude = "rude"
    damage = "damage"
    wrong_charge = "wrong_charge"
    other = "other"


class ReportStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("request_id", "rater_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    ratee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    __tablename__ = "reports"
    # Dispatchers list the open ones, oldest first.
    __table_args__ = (Index("ix_reports_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"))
    about_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(32))  # a ReportKind
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.open)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")


class Vouch(Base):
    """A verified neighbour says that a person lives at an address (see trust/vouches.py).

    Once per voucher and address: the address belongs to one person, so this is once per
    pair, and a person who moves can be vouched for at the new address.
    """

    __tablename__ = "vouches"
    __table_args__ = (UniqueConstraint("address_id", "voucher_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id", ondelete="CASCADE"))
    voucher_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
