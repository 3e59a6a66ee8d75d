"""Ledger tables: accounts, transfers, entries, and job settlements.

Entries are the source of truth; `ledger_accounts.balance` and `pending_debits` are running
totals kept in the same transaction as the entries (for speed), and `verify` recomputes them.
Check constraints make the database itself refuse what must never happen (a zero amount, a
non-negative account below zero, a hold resolved twice), so a bug cannot corrupt money quietly.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class Unit(StrEnum):
    EUR = "EUR"  # amounts in euro cents
    MIN = "MIN"  # time-bank credits, in minutes


class AccountKind(StrEnum):
    person_wallet = "person_wallet"  # euros the platform holds for a person (card top-ups later)
    person_dues = "person_dues"  # running balance with the platform; negative = the person owes
    person_time = "person_time"  # a person's time credits
    platform_commission = "platform_commission"  # revenue: commission earned on paid jobs
    cash_clearing = "cash_clearing"  # counterpart of cash handed over outside the system
    card_clearing = "card_clearing"  # reserved: money in transit at a card provider
    time_issuance = "time_issuance"  # where time credits are created (welcome credits, grants)


class TransferKind(StrEnum):
    transfer = "transfer"  # a dispatcher's manual transfer
    hold = "hold"  # reserves funds; resolved later by exactly one capture or void
    capture = "capture"  # posts (part of) a hold
    void = "void"  # releases a hold
    refund = "refund"  # reverses (part of) an earlier transfer
    job_payment = "job_payment"  # requester pays helper (time credits)
    commission = "commission"  # helper's dues -> platform commission
    cash_deposit = "cash_deposit"  # cash handed to the association, credited to a person
    issuance = "issuance"  # time credits created for a person


# Kinds that only reserve or release: they write no entries and move no balance.
NON_MOVING_KINDS = frozenset({TransferKind.hold, TransferKind.void})


class TransferStatus(StrEnum):
    pending = "pending"  # a hold not yet resolved
    posted = "posted"  # money moved (or, for a hold, it was captured)
    voided = "voided"  # a hold released, or the void that released it


class Account(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint("unit IN ('EUR', 'MIN')", name="unit_known"),
        CheckConstraint("pending_debits >= 0", name="pending_not_negative"),
        # The last line of defence: the database refuses an overdraft of a guarded account.
        CheckConstraint("allow_negative OR balance - pending_debits >= 0", name="no_overdraft"),
        Index("ix_ledger_accounts_owner", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One account per (kind, owner): "person_wallet/42", or just "cash_clearing" for the system.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(3))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    allow_negative: Mapped[bool] = mapped_column(default=False)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_debits: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Transfer(Base):
    """One movement between two accounts of the same unit (two entries when it moves money)."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
        Index("ix_ledger_transfers_reverses", "reverses_id"),
        Index("ix_ledger_transfers_job", "job_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(3))
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    # Unique: a hold is captured or voided once, however many try at once.
    pending_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"))
    # Unique: two concurrent retries with one key cannot both post.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    # References for the audit trail, deliberately without foreign keys: a foreign-key check
    # takes a share lock on the help request or person row while we hold account locks, and a
    # dispatcher's transaction holding that row could then deadlock with us.
    job_id: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    memo: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Entry(Base):
    """One leg of a transfer: signed amount (credit > 0, debit < 0) and the balance after it."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        Index("ix_ledger_entries_account_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfers.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)


class JobSettlement(Base):
    """What was paid for one finished help request, and by which ledger transfer.

    One row per request (unique), so a job is settled once however often completion is retried.
    """

    __tablename__ = "ledger_job_settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"), unique=True)
    pay_mode: Mapped[str] = mapped_column(String(16))
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    helper_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # Cash: price in cents (paid hand to hand); time credits: minutes; volunteer: 0.
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    commission_bps: Mapped[int] = mapped_column(Integer, default=0)
    commission: Mapped[int] = mapped_column(BigInteger, default=0)
    # The commission transfer (cash) or the payment (time credits); refunds reverse this one.
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
