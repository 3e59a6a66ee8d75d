"""Reading and locking what dispatch changes, and the timers of offering rounds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, func, select, update
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer, OfferStatus
from backend.dispatch.policy import DispatchPolicy
from backend.errors import NotFound
from backend.jobs.models import Job, JobStatus
from backend.jobs.service import schedule
from backend.requests.models import HelpRequest

ROUND_EXPIRY = "offer_round_expiry"


def lock_request(session: Session, request_id: int) -> HelpRequest:
    """The request, fresh from the database and locked for this transaction.

    Every change dispatch makes to a request and its offers takes this lock first (accept
    takes it through its conditional UPDATE), so they queue in one order and never deadlock.
    On SQLite the whole transaction is already exclusive (BEGIN IMMEDIATE).
    """
    stmt = (
        select(HelpRequest)
        .where(HelpRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    request = session.scalar(stmt)
    if request is None:
        raise NotFound(f"help request {request_id} not found")
    return request


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE and say how many rows it changed (the heart of "first one wins")."""
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount


def fresh_offer(session: Session, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id, populate_existing=True)
    if offer is None:
        raise NotFound(f"offer {offer_id} not found")
    return offer


def pending_offers(session: Session, request_id: int) -> list[Offer]:
    stmt = (
        select(Offer)
        .where(Offer.request_id == request_id, Offer.status == OfferStatus.pending)
        .order_by(Offer.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def asked_helpers(session: Session, request_id: int) -> set[int]:
    return set(session.scalars(select(Offer.helper_id).where(Offer.request_id == request_id)))


def last_round(session: Session, request_id: int) -> int:
    return session.scalar(select(func.max(Offer.round)).where(Offer.request_id == request_id)) or 0


def _round_key(request_id: int, round_no: int) -> str:
    return f"{ROUND_EXPIRY}:{request_id}:{round_no}"


def schedule_round_expiry(
    session: Session,
    request_id: int,
    round_no: int,
    first_round: int,
    policy: DispatchPolicy,
    run_at: datetime,
) -> None:
    payload = {"request_id": request_id, "round": round_no, "first_round": first_round}
    schedule(
        session,
        ROUND_EXPIRY,
        payload | policy.to_payload(),
        run_at=run_at,
        dedupe_key=_round_key(request_id, round_no),
    )


def round_settings(
    session: Session, request_id: int, round_no: int, default: DispatchPolicy
) -> tuple[DispatchPolicy, int]:
    """The policy and first round of the dispatch this round belongs to (from its timer)."""
    payload: dict[str, Any] = (
        session.scalar(
            select(Job.payload).where(Job.dedupe_key == _round_key(request_id, round_no))
        )
        or {}
    )
    return DispatchPolicy.from_payload(payload, default), int(payload.get("first_round", round_no))


def cancel_round_timers(session: Session, request_id: int) -> None:
    """Timers of a request that no longer needs them (its handler would do nothing anyway)."""
    session.execute(
        update(Job)
        .where(
            Job.kind == ROUND_EXPIRY,
            Job.status == JobStatus.pending,
            Job.dedupe_key.like(f"{ROUND_EXPIRY}:{request_id}:%"),
        )
        .values(status=JobStatus.cancelled)
        .execution_options(synchronize_session=False)
    )
