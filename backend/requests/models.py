"""Help requests and their lifecycle history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base, utcnow


class RequestStatus(StrEnum):
    draft = "draft"
    open = "open"
    offered = "offered"
    assigned = "assigned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"
    expired = "expired"


# The only moves a request may make; anything else is refused by the service.
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.draft: frozenset({RequestStatus.open, RequestStatus.cancelled}),
    RequestStatus.open: frozenset(
        {
            RequestStatus.offered,
            RequestStatus.assigned,
            RequestStatus.cancelled,
            RequestStatus.expired,
        }
    ),
    RequestStatus.offered: frozenset(
        {RequestStatus.open, RequestStatus.assigned, RequestStatus.cancelled, RequestStatus.expired}
    ),
    RequestStatus.assigned: frozenset(
        {RequestStatus.in_progress, RequestStatus.done, RequestStatus.cancelled, RequestStatus.open}
    ),
    RequestStatus.in_progress: frozenset({RequestStatus.done, RequestStatus.cancelled}),
    RequestStatus.done: frozenset(),
    RequestStatus.cancelled: frozenset(),
    RequestStatus.expired: frozenset(),
}

ACTIVE_STATUSES = frozenset(
    {RequestStatus.open, RequestStatus.offered, RequestStatus.assigned, RequestStatus.in_progress}
)


class PayMode(StrEnum):
    volunteer = "volunteer"  # free help, no money moves
    cash = "cash"  # paid in cash at completion, recorded in the ledger
    time_credits = "time_credits"  # time-bank exchange, minutes


class HelpRequest(Base):
    __tablename__ = "help_requests"
    __table_args__ = (Index("ix_help_requests_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    service: Mapped[str | None] = mapped_column(String(32))
    details: Mapped[str] = mapped_column(Text, default="")
    # Where the help is needed: usually the requester's address, sometimes elsewhere.
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"))
    place_text: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    window_start: Mapped[datetime | None] = mapped_column()
    window_end: Mapped[datetime | None] = mapped_column()
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    pay_mode: Mapped[str] = mapped_column(String(16), default=PayMode.volunteer)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    channel: Mapped[str] = mapped_column(String(16), default="api")
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.draft)
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    safety_word: Mapped[str | None] = mapped_column(String(32))
    needs_dispatcher: Mapped[bool] = mapped_column(default=False)
    flag_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()

    events: Mapped[list[RequestEvent]] = relationship(
        cascade="all, delete-orphan", order_by="RequestEvent.id", lazy="selectin"
    )


class RequestEvent(Base):
    """Append-only history: every status change and notable action, with who did it."""

    __tablename__ = "help_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))  # "status", "offer", "flag", "note", ...
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
