"""Offers of a job to helpers: the first valid Accept wins."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class OfferStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"  # another helper won, or the request was cancelled


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("request_id", "helper_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    helper_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OfferStatus.pending)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    responded_at: Mapped[datetime | None] = mapped_column()
