"""Leasing due rows to one worker among many (outbox, jobs), one row at a time.

A worker claims ONE due row right before working on it: status -> busy, `locked_by` = the
worker's id, `locked_until` = now + lease, `attempts` + 1 (counted at the claim, so a row
that kills its worker every time still runs out of attempts). It renews the lease while the
work lasts and finishes with a compare-and-set (`UPDATE ... WHERE id = ? AND locked_by = ?`):
a worker whose lease was taken over by another changes nothing. A lease that runs out (the
worker died mid-way) makes the row due again, and only then.

Claiming one row at a time, instead of a batch under one lease, is what keeps a slow
provider from outliving the lease of the rows still waiting in the batch (each of which a
second worker would then claim and send again).

On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several worker processes claim disjoint rows
without waiting on each other. On SQLite every write transaction is already exclusive
(BEGIN IMMEDIATE, backend/db.py), so the same select-then-mark is safe there too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session


def claim_one(
    session: Session,
    model: Any,
    *,
    due_column: Any,
    busy_status: str,
    now: datetime,
    lease: timedelta,
    worker: str,
    where: Sequence[ColumnElement[bool]] = (),
) -> int | None:
    """Claim the most overdue row (pending and due, or busy with an expired lease); its id.

    `where` narrows the candidates (the outbox passes the channels this worker can send on,
    so rows of a channel that is off are never even read).
    """
    due = or_(
        (model.status == "pending") & (due_column <= now),
        (model.status == busy_status) & (model.locked_until < now),
    )
    stmt = select(model.id).where(due, *where).order_by(due_column, model.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row_id = session.scalar(stmt)
    if row_id is None:
        return None
    session.execute(
        update(model)
        .where(model.id == row_id)
        .values(
            status=busy_status,
            locked_until=now + lease,
            locked_by=worker,
            attempts=model.attempts + 1,
        )
    )
    return int(row_id)


def held(model: Any, row_id: int, worker: str, busy_status: str) -> ColumnElement[bool]:
    """The compare-and-set condition: this row is still this worker's."""
    return (  # type: ignore[no-any-return]
        (model.id == row_id) & (model.locked_by == worker) & (model.status == busy_status)
    )


def renew(
    session: Session,
    model: Any,
    row_id: int,
    *,
    worker: str,
    busy_status: str,
    until: datetime,
) -> bool:
    """Extend this worker's lease; False when the row is no longer ours."""
    result = session.execute(
        update(model).where(held(model, row_id, worker, busy_status)).values(locked_until=until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def backoff(attempts: int, *, base: float = 5.0, cap: float = 3600.0) -> timedelta:
    """Exponential: 5 s, 10 s, 20 s ... at most an hour."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))
