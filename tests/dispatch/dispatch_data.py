"""People who can be reached (a phone or a Telegram id) and quick looks at the outbox."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.dispatch.policy import DispatchPolicy
from backend.jobs.models import Job
from backend.outbox.models import OutboxMessage
from backend.people.models import Person
from backend.requests.models import HelpRequest
from tests.factories import make_helper, make_request, make_resident
from tests.matching.matching_data import north

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)  # Friday 11:30 in Paris
POLICY = DispatchPolicy(offers_per_round=2, offer_ttl=timedelta(minutes=10), max_rounds=2)

_numbers = itertools.count(10_000_000)


def mobile() -> str:
    return f"+336{next(_numbers):08d}"


def helper(session: Session, name: str, *, km: float = 0.5, telegram: bool = False,
           **kw: Any) -> Person:  # fmt: skip
    """A helper `km` north of the centre, reachable by SMS (or Telegram)."""
    if telegram:
        kw["telegram_id"] = next(_numbers)
    else:
        kw["phone"] = mobile()
    return make_helper(session, name, lat=north(km)[0], **kw)


def requester(session: Session, name: str = "Jeanne Martin", **kw: Any) -> Person:
    kw.setdefault("phone", mobile())
    return make_resident(session, name, **kw)


def open_request(session: Session, who: Person, **kw: Any) -> HelpRequest:
    return make_request(session, who, **kw)


def outbox(session: Session, kind: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(session.scalars(stmt))


def offers_of(session: Session, request: HelpRequest) -> list[Offer]:
    stmt = select(Offer).where(Offer.request_id == request.id).order_by(Offer.round, Offer.rank)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def round_jobs(session: Session) -> list[Job]:
    stmt = select(Job).where(Job.kind == "offer_round_expiry").order_by(Job.id)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))
