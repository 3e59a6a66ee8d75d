"""Immutable results handed out by the ledger services (never live ORM rows whose balances
could go stale after the set-based updates of the posting engine)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TransferView:
    id: int
    kind: str
    status: str
    unit: str
    debit_account_id: int
    credit_account_id: int
    amount: int
    pending_id: int | None
    reverses_id: int | None
    job_id: int | None
    actor_id: int | None
    memo: str
    idempotency_key: str | None
    created_at: datetime
    # True when an idempotency key was seen before: this is the first call's result, untouched.
    replayed: bool = False

    @classmethod
    def of(cls, row: Any, *, replayed: bool = False) -> TransferView:
        return cls(
            id=row.id,
            kind=row.kind,
            status=row.status,
            unit=row.unit,
            debit_account_id=row.debit_account_id,
            credit_account_id=row.credit_account_id,
            amount=row.amount,
            pending_id=row.pending_id,
            reverses_id=row.reverses_id,
            job_id=row.job_id,
            actor_id=row.actor_id,
            memo=row.memo,
            idempotency_key=row.idempotency_key,
            created_at=row.created_at,
            replayed=replayed,
        )
