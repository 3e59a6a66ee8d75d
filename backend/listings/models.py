"""Neighbourhood listings: offers, requests, group purchases, alerts, events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class ListingKind(StrEnum):
    offer = "offer"
    request = "request"
    group_purchase = "group_purchase"
    alert = "alert"
    event = "event"


class ListingStatus(StrEnum):
    active = "active"
    closed = "closed"
    expired = "expired"


class Listing(Base):
    __tablename__ = "listings"
    __table_args__ = (Index("ix_listings_status_kind", "status", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    service: Mapped[str | None] = mapped_column(String(32))
    neighbourhood: Mapped[str] = mapped_column(String(100), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ListingStatus.active)
    starts_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
