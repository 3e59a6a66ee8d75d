"""Ledger operations: transfers, holds and their capture or release, refunds.

Every function works inside the caller's transaction and commits nothing: the caller's unit of
work (an API request, a worker's job) decides. Keep one money operation per transaction, or
call `posting.lock_accounts` on every account involved first: locks are taken in id order
within an operation, not across several.

Idempotency keys are one namespace for all operations: a key names one request, and asking
again with it returns the transfer the first request created (`replayed=True`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.errors import Conflict, InvalidInput, NotFound
from backend.ledger.idempotency import check_key, replay, request_hash
from backend.ledger.models import NON_MOVING_KINDS, Transfer, TransferKind, TransferStatus
from backend.ledger.posting import Movement, apply, transfers_t
from backend.ledger.views import TransferView


def transfer(
    session: Session,
    *,
    debit_account_id: int,
    credit_account_id: int,
    amount: int,
    unit: str | None = None,
    kind: TransferKind = TransferKind.transfer,
    memo: str = "",
    job_id: int | None = None,
    actor_id: int | None = None,
    idempotency_key: str | None = None,
) -> TransferView:
    """Move `amount` now from one account to another of the same unit."""
    if kind in NON_MOVING_KINDS or kind in (TransferKind.capture, TransferKind.refund):
        raise InvalidInput(f"use the {kind} operation, not a plain transfer")
    key = check_key(idempotency_key)
    fields = dict(
        debit=debit_account_id, credit=credit_account_id, amount=amount, unit=unit, memo=memo
    )
    return apply(
        session,
        Movement(
            kind=kind,
            debit_id=debit_account_id,
            credit_id=credit_account_id,
            amount=amount,
            unit=unit,
            memo=memo,
            job_id=job_id,
            actor_id=actor_id,
            key=key,
            # Only a key needs a fingerprint: spare the hashing on the hot path.
            fingerprint=request_hash(str(kind), job=job_id, **fields) if key else "",
        ),
    )


def hold(
    session: Session,
    *,
    debit_account_id: int,
    credit_account_id: int,
    amount: int,
    unit: str | None = None,
    memo: str = "",
    job_id: int | None = None,
    actor_id: int | None = None,
    idempotency_key: str | None = None,
) -> TransferView:
    """Reserve `amount` on the debit account: it stays in the balance but is no longer
    available, until `post` captures it (all or part) or `void` releases it."""
    key = check_key(idempotency_key)
    fields = dict(
        debit=debit_account_id, credit=credit_account_id, amount=amount, unit=unit, memo=memo
    )
    return apply(
        session,
        Movement(
            kind=TransferKind.hold,
            debit_id=debit_account_id,
            credit_id=credit_account_id,
            amount=amount,
            unit=unit,
            memo=memo,
            job_id=job_id,
            actor_id=actor_id,
            key=key,
            fingerprint=request_hash("hold", job=job_id, **fields) if key else "",
        ),
    )


def post(
    session: Session,
    hold_id: int,
    *,
    amount: int | None = None,
    actor_id: int | None = None,
    idempotency_key: str | None = None,
) -> TransferView:
    """Capture a pending hold: `amount` (at most the hold, default all of it) moves, and the
    rest is released. Returns the capture transfer. A second post or a post after a void is
    refused, unless it repeats the first post's idempotency key."""
    key = check_key(idempotency_key)
    pending = _lock_transfer(session, hold_id)
    captured = pending.amount if amount is None else amount
    fingerprint = request_hash("post", hold=hold_id, amount=captured)
    earlier = replay(session, key, fingerprint)
    if earlier is not None:
        return earlier
    _require_pending(pending)
    if not 0 < captured <= pending.amount:
        raise InvalidInput(
            f"a capture is between 1 and the hold's {pending.amount} {pending.unit}",
            held=pending.amount,
        )
    return apply(
        session,
        Movement(
            kind=TransferKind.capture,
            debit_id=pending.debit_account_id,
            credit_id=pending.credit_account_id,
            amount=captured,
            release=pending.amount,
            pending_id=hold_id,
            job_id=pending.job_id,
            actor_id=actor_id,
            memo=pending.memo,
            key=key,
            fingerprint=fingerprint,
        ),
    )


def void(
    session: Session,
    hold_id: int,
    *,
    actor_id: int | None = None,
    idempotency_key: str | None = None,
) -> TransferView:
    """Release a pending hold in full; nothing moves. Returns the void transfer."""
    key = check_key(idempotency_key)
    pending = _lock_transfer(session, hold_id)
    fingerprint = request_hash("void", hold=hold_id)
    earlier = replay(session, key, fingerprint)
    if earlier is not None:
        return earlier
    _require_pending(pending)
    return apply(
        session,
        Movement(
            kind=TransferKind.void,
            debit_id=pending.debit_account_id,
            credit_id=pending.credit_account_id,
            amount=pending.amount,
            release=pending.amount,
            pending_id=hold_id,
            job_id=pending.job_id,
            actor_id=actor_id,
            memo=pending.memo,
            key=key,
            fingerprint=fingerprint,
        ),
    )


# What a refund cannot reverse: what moved no money, and refunds themselves.
NOT_REFUNDABLE = NON_MOVING_KINDS | {TransferKind.refund}


def refunded_so_far(
    original_id: int | ColumnElement[int] | InstrumentedAttribute[int],
) -> ScalarSelect[int]:
    """What the refunds of a transfer add up to (0 for none), as a subquery: for one transfer
    by id, or correlated to each row of an outer query on transfers."""
    refunds = transfers_t.alias("refunds")
    return (
        select(func.coalesce(func.sum(refunds.c.amount), 0))
        .where(refunds.c.reverses_id == original_id)
        .scalar_subquery()
    )


def refund(
    session: Session,
    transfer_id: int,
    *,
    amount: int | None = None,
    memo: str = "",
    actor_id: int | None = None,
    idempotency_key: str | None = None,
) -> TransferView:
    """Reverse (part of) a transfer that moved money: the credited account gives back to the
    debited one. All refunds of one transfer together never exceed it; the default amount is
    what is left. A captured hold is refunded through its capture."""
    key = check_key(idempotency_key)
    original = _lock_transfer(session, transfer_id)
    if original.kind == TransferKind.hold and original.status == TransferStatus.posted:
        capture_id = session.scalar(select(Transfer.id).where(Transfer.pending_id == original.id))
        original = _lock_transfer(session, capture_id or transfer_id)
    if original.kind in NOT_REFUNDABLE:
        raise Conflict(f"transfer {transfer_id} ({original.kind}) moved no money to refund")
    refunded = session.scalar(select(refunded_so_far(original.id)))
    left = original.amount - int(refunded or 0)
    wanted = left if amount is None else amount
    fingerprint = request_hash("refund", original=original.id, amount=amount, memo=memo)
    earlier = replay(session, key, fingerprint)
    if earlier is not None:
        return earlier
    if left <= 0:
        raise Conflict(f"transfer {original.id} is already fully refunded")
    if not 0 < wanted <= left:
        raise Conflict(
            f"a refund of transfer {original.id} is at most {left} {original.unit}",
            refundable=left,
        )
    return apply(
        session,
        Movement(
            kind=TransferKind.refund,
            debit_id=original.credit_account_id,
            credit_id=original.debit_account_id,
            amount=wanted,
            reverses_id=original.id,
            job_id=original.job_id,
            actor_id=actor_id,
            memo=memo or f"refund of transfer {original.id}",
            key=key,
            fingerprint=fingerprint,
        ),
    )


def get_transfer(session: Session, transfer_id: int) -> TransferView:
    row = session.execute(select(transfers_t).where(transfers_t.c.id == transfer_id)).first()
    if row is None:
        raise NotFound(f"transfer {transfer_id} not found")
    return TransferView.of(row)


def _lock_transfer(session: Session, transfer_id: int) -> TransferView:
    """Lock a hold or an original before resolving or refunding it, so concurrent attempts
    queue and the second one sees what the first did."""
    row = session.execute(
        select(transfers_t).where(transfers_t.c.id == transfer_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"transfer {transfer_id} not found")
    return TransferView.of(row)


def _require_pending(pending: TransferView) -> None:
    if pending.kind != TransferKind.hold:
        raise Conflict(f"transfer {pending.id} is a {pending.kind}, not a hold")
    if pending.status != TransferStatus.pending:
        raise Conflict(f"hold {pending.id} is already {pending.status}", status=pending.status)
