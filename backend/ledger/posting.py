"""The posting engine: the only code that changes balances.

Every movement locks its two accounts in id order (so two transfers in opposite directions
wait for each other instead of deadlocking), looks its idempotency key up *after* taking the
locks (so a retry racing its original sees the original's outcome), checks funds against the
locked balance, then writes the transfer, its two entries and both running balances.

On PostgreSQL a plain posted transfer goes through one statement (`fast_path.py`) instead of
six round-trips; whenever that statement declines (unknown account, other unit, not enough
money, a key seen before), the careful path below runs and gives the exact answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from backend.db import utcnow
from backend.errors import Conflict, InvalidInput, NotFound
from backend.ledger import fast_path
from backend.ledger.errors import InsufficientFunds
from backend.ledger.idempotency import replay
from backend.ledger.models import (
    NON_MOVING_KINDS,
    Account,
    Entry,
    Transfer,
    TransferKind,
    TransferStatus,
)
from backend.ledger.views import TransferView

accounts_t = cast(Table, Account.__table__)
transfers_t = cast(Table, Transfer.__table__)
entries_t = cast(Table, Entry.__table__)

# Built once: building Core statements per call cost more CPU than running them on SQLite.
_LOCK_ACCOUNTS = (
    select(accounts_t)
    .where(accounts_t.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(accounts_t.c.id)
    .with_for_update()
)
_INSERT_TRANSFER = insert(transfers_t).returning(transfers_t.c.id)
_DEBIT = (
    update(accounts_t)
    .where(accounts_t.c.id == bindparam("account_id"))
    .values(
        balance=accounts_t.c.balance - bindparam("moved"),
        pending_debits=accounts_t.c.pending_debits + bindparam("pending_delta"),
    )
    .returning(accounts_t.c.balance)
)
_CREDIT = (
    update(accounts_t)
    .where(accounts_t.c.id == bindparam("account_id"))
    .values(balance=accounts_t.c.balance + bindparam("moved"))
    .returning(accounts_t.c.balance)
)
_INSERT_ENTRIES = insert(entries_t)
_RESOLVE_HOLD = (
    update(transfers_t)
    .where(transfers_t.c.id == bindparam("hold_id"), transfers_t.c.status == "pending")
    .values(status=bindparam("resolved"))
)


@dataclass(frozen=True)
class Movement:
    """What one ledger operation asks for, before any check."""

    kind: TransferKind
    debit_id: int
    credit_id: int
    amount: int
    fingerprint: str  # hash of the request, kept with the idempotency key
    unit: str | None = None  # when given, both accounts must be in this unit
    pending_id: int | None = None  # the hold a capture or void resolves
    release: int = 0  # pending amount given back to the debit account (captures and voids)
    reverses_id: int | None = None
    job_id: int | None = None
    actor_id: int | None = None
    memo: str = ""
    key: str | None = None

    @property
    def moves_money(self) -> bool:
        return self.kind not in NON_MOVING_KINDS

    @property
    def status(self) -> TransferStatus:
        if self.kind == TransferKind.hold:
            return TransferStatus.pending
        if self.kind == TransferKind.void:
            return TransferStatus.voided
        return TransferStatus.posted


def apply(session: Session, m: Movement) -> TransferView:
    """Record the movement, or return the earlier result of the same idempotency key."""
    if m.amount <= 0:
        raise InvalidInput("amounts are positive integers (cents or minutes)")
    if m.debit_id == m.credit_id:
        raise InvalidInput("a transfer needs two different accounts")
    if fast_path.applies(session, m):
        done = fast_path.post(session, m)
        if done is not None:
            forget(session, Account, (m.debit_id, m.credit_id))
            return done
    return _apply_carefully(session, m)


def lock_accounts(session: Session, ids: Iterable[int]) -> dict[int, Row]:  # type: ignore[type-arg]
    """Lock rows in ascending id order: every writer queues in the same order, no deadlock.
    (SQLite has no row locks; its BEGIN IMMEDIATE already made this the only writer.)"""
    rows = session.execute(_LOCK_ACCOUNTS, {"ids": sorted(set(ids))}).all()
    return {row.id: row for row in rows}


def _apply_carefully(session: Session, m: Movement) -> TransferView:
    locked = lock_accounts(session, (m.debit_id, m.credit_id))
    debit, credit = locked.get(m.debit_id), locked.get(m.credit_id)
    if debit is None or credit is None:
        missing = m.debit_id if debit is None else m.credit_id
        raise NotFound(f"ledger account {missing} not found")
    if debit.unit != credit.unit or (m.unit is not None and m.unit != debit.unit):
        raise InvalidInput(
            f"a transfer never crosses units: {debit.unit} -> {credit.unit}"
            + (f" (asked for {m.unit})" if m.unit else "")
        )
    earlier = replay(session, m.key, m.fingerprint)
    if earlier is not None:
        return earlier
    if m.kind != TransferKind.void and not debit.allow_negative:
        available = debit.balance - debit.pending_debits + m.release
        if available < m.amount:
            raise InsufficientFunds(
                f"account {debit.id} has {available} {debit.unit} available, {m.amount} needed",
                account_id=debit.id,
                available=available,
                amount=m.amount,
            )
    now = utcnow()
    values = {
        "kind": str(m.kind),
        "status": str(m.status),
        "unit": debit.unit,
        "debit_account_id": m.debit_id,
        "credit_account_id": m.credit_id,
        "amount": m.amount,
        "pending_id": m.pending_id,
        "reverses_id": m.reverses_id,
        "idempotency_key": m.key,
        "request_hash": m.fingerprint if m.key else None,
        "job_id": m.job_id,
        "actor_id": m.actor_id,
        "memo": m.memo,
        "created_at": now,
    }
    inserted = _insert_transfer(session, m, values)
    if isinstance(inserted, TransferView):  # a concurrent twin with the same key won
        return inserted
    _write_balances(session, m, inserted)
    forget(session, Account, (m.debit_id, m.credit_id))
    return TransferView.of(SimpleNamespace(id=inserted, **values))


def _insert_transfer(
    session: Session, m: Movement, values: dict[str, object]
) -> int | TransferView:
    if m.key is None and m.pending_id is None:
        return session.execute(_INSERT_TRANSFER, values).scalar_one()
    # Unique key or unique hold resolution: a concurrent twin may have won. The savepoint keeps
    # the caller's transaction usable so we can answer with the winner's result.
    try:
        with session.begin_nested():
            return session.execute(_INSERT_TRANSFER, values).scalar_one()
    except IntegrityError:
        earlier = replay(session, m.key, m.fingerprint)
        if earlier is not None:
            return earlier
        if m.pending_id is not None:
            raise Conflict(f"hold {m.pending_id} was resolved concurrently") from None
        raise


def _write_balances(session: Session, m: Movement, transfer_id: int) -> None:
    moved = m.amount if m.moves_money else 0
    debit_after = session.execute(
        _DEBIT,
        {
            "account_id": m.debit_id,
            "moved": moved,
            "pending_delta": m.amount if m.kind == TransferKind.hold else -m.release,
        },
    ).scalar_one()
    if m.moves_money:
        credit_after = session.execute(
            _CREDIT, {"account_id": m.credit_id, "moved": moved}
        ).scalar_one()
        session.execute(
            _INSERT_ENTRIES,
            [
                {
                    "transfer_id": transfer_id,
                    "account_id": m.debit_id,
                    "amount": -moved,
                    "balance_after": debit_after,
                },
                {
                    "transfer_id": transfer_id,
                    "account_id": m.credit_id,
                    "amount": moved,
                    "balance_after": credit_after,
                },
            ],
        )
    if m.pending_id is not None:
        resolved = TransferStatus.voided if m.kind == TransferKind.void else TransferStatus.posted
        done = session.execute(_RESOLVE_HOLD, {"hold_id": m.pending_id, "resolved": str(resolved)})
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"hold {m.pending_id} is no longer pending")
        forget(session, Transfer, (m.pending_id,))


def forget(session: Session, model: type, ids: Iterable[int]) -> None:
    """Expire ORM copies of rows the engine changed behind the ORM's back."""
    for pk in ids:
        obj = session.identity_map.get(identity_key(model, pk))
        if obj is not None:
            session.expire(obj)
