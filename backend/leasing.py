"""Leasing due rows to one worker among many (outbox, jobs).

On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several worker processes take disjoint batches
without waiting on each other. On SQLite every write transaction is already exclusive
(BEGIN IMMEDIATE), so the same select-then-mark is safe there too. A lease that runs out
(a worker died mid-way) makes the row due again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session


def lease_due(
    session: Session,
    model: Any,
    *,
    due_column: Any,
    busy_status: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    worker: str = "",
) -> list[int]:
    """Mark up to `limit` due rows as `busy_status` until now+lease; return their ids."""
    due = or_(
        (model.status == "pending") & (due_column <= now),
        (model.status == busy_status) & (model.locked_until < now),
    )
    stmt = select(model.id).where(due).order_by(due_column, model.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(session.scalars(stmt))
    if ids:
        values: dict[str, Any] = {"status": busy_status, "locked_until": now + lease}
        if hasattr(model, "locked_by"):
            values["locked_by"] = worker
        session.execute(update(model).where(model.id.in_(ids)).values(**values))
    return ids


def backoff(attempts: int, *, base: float = 5.0, cap: float = 3600.0) -> timedelta:
    """Exponential: 5 s, 10 s, 20 s ... at most an hour."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))
