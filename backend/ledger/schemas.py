"""Ledger in and out of the API. Amounts are integers: euro cents, or minutes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.ledger.models import AccountKind, Unit
from backend.validation import DbId

# Far above any neighbourhood amount, far below BIGINT: no overflow, no silly typos.
MAX_AMOUNT = 10_000_000_00

Amount = Field(gt=0, le=MAX_AMOUNT, description="euro cents, or minutes for time credits")


class AccountOpen(BaseModel):
    kind: AccountKind
    owner_id: DbId | None = Field(default=None, description="the person; none for system accounts")


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    kind: str
    unit: str
    owner_id: int | None
    allow_negative: bool
    balance: int
    pending_debits: int
    available: int = Field(description="balance minus pending holds: what may be spent now")
    created_at: datetime


class TransferCreate(BaseModel):
    debit_account_id: DbId
    credit_account_id: DbId
    amount: int = Amount
    unit: Unit | None = Field(default=None, description="when given, both accounts must match")
    # Commissions, job payments, captures and refunds have their own operations.
    kind: Literal["transfer", "cash_deposit", "issuance"] = "transfer"
    memo: str = Field(default="", max_length=300)


class HoldCreate(BaseModel):
    debit_account_id: DbId
    credit_account_id: DbId
    amount: int = Amount
    unit: Unit | None = None
    memo: str = Field(default="", max_length=300)
    job_id: DbId | None = None


class HoldPost(BaseModel):
    amount: int | None = Field(
        default=None, gt=0, le=MAX_AMOUNT, description="at most the hold; default: all of it"
    )


class RefundCreate(BaseModel):
    amount: int | None = Field(
        default=None, gt=0, le=MAX_AMOUNT, description="default: all that is not refunded yet"
    )
    memo: str = Field(default="", max_length=300)


class TransferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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
    memo: str
    idempotency_key: str | None
    created_at: datetime
    replayed: bool = Field(description="true: an earlier request with this key; nothing new")


class StatementLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: int
    transfer_id: int
    account_id: int
    kind: str
    amount: int = Field(description="credit > 0, debit < 0")
    balance_after: int
    counterparty_account_id: int
    memo: str
    job_id: int | None
    created_at: datetime


class StatementOut(BaseModel):
    items: list[StatementLineOut]
    limit: int
    next_before: int | None = Field(description="pass as `before` for the next, older page")


class VerifyOut(BaseModel):
    ok: bool
    totals: dict[str, int]
    problems: dict[str, list[list[str]]]
