"""Statements: the entries of one or more accounts, newest first, with a keyset cursor.

A cursor (`before` = the last entry id seen) rather than an offset: new entries keep arriving
at the top, and an offset would then show a line twice or skip one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from backend.ledger.models import Account, Entry, Transfer

MAX_PAGE = 200


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    transfer_id: int
    account_id: int
    kind: str
    amount: int  # signed: credit > 0, debit < 0
    balance_after: int
    counterparty_account_id: int
    memo: str
    job_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class StatementPage:
    lines: list[StatementLine]
    next_before: int | None  # pass as `before` for the next (older) page; None at the end


def statement(
    session: Session, account_ids: Sequence[int], *, limit: int = 50, before: int | None = None
) -> StatementPage:
    limit = max(1, min(limit, MAX_PAGE))
    if not account_ids:
        return StatementPage(lines=[], next_before=None)
    counterparty = case(
        (Entry.amount < 0, Transfer.credit_account_id), else_=Transfer.debit_account_id
    )
    stmt = (
        select(
            Entry.id,
            Entry.transfer_id,
            Entry.account_id,
            Transfer.kind,
            Entry.amount,
            Entry.balance_after,
            counterparty,
            Transfer.memo,
            Transfer.job_id,
            Transfer.created_at,
        )
        .join(Transfer, Transfer.id == Entry.transfer_id)
        .where(Entry.account_id.in_(account_ids))
        .order_by(Entry.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        stmt = stmt.where(Entry.id < before)
    rows = session.execute(stmt).all()
    lines = [StatementLine(*row) for row in rows[:limit]]
    more = len(rows) > limit
    return StatementPage(lines=lines, next_before=lines[-1].entry_id if more else None)


def person_statement(
    session: Session, person_id: int, *, limit: int = 50, before: int | None = None
) -> StatementPage:
    """Every account of the person, interleaved (each line says its account and unit via it)."""
    ids = list(session.scalars(select(Account.id).where(Account.owner_id == person_id)))
    return statement(session, ids, limit=limit, before=before)
