"""Opening and reading accounts. Every account's unit and overdraft rule follow from its kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import InvalidInput, NotFound
from backend.ledger.models import Account, AccountKind, Unit


@dataclass(frozen=True)
class KindRule:
    unit: Unit
    personal: bool  # owned by a person (else: one system account of this kind)
    allow_negative: bool


KIND_RULES: dict[AccountKind, KindRule] = {
    AccountKind.person_wallet: KindRule(Unit.EUR, personal=True, allow_negative=False),
    # A debt to the platform is a negative balance, so this one may go below zero.
    AccountKind.person_dues: KindRule(Unit.EUR, personal=True, allow_negative=True),
    AccountKind.person_time: KindRule(Unit.MIN, personal=True, allow_negative=False),
    # Revenue only grows by commissions and shrinks by their refunds, capped: never negative.
    AccountKind.platform_commission: KindRule(Unit.EUR, personal=False, allow_negative=False),
    # Sources: money or credits entering the ledger come from here, so they run negative.
    AccountKind.cash_clearing: KindRule(Unit.EUR, personal=False, allow_negative=True),
    AccountKind.card_clearing: KindRule(Unit.EUR, personal=False, allow_negative=True),
    AccountKind.time_issuance: KindRule(Unit.MIN, personal=False, allow_negative=True),
}


@dataclass(frozen=True)
class AccountView:
    """A snapshot of an account; `available` is what a new debit or hold may use."""

    id: int
    code: str
    kind: str
    unit: str
    owner_id: int | None
    allow_negative: bool
    balance: int
    pending_debits: int
    created_at: datetime

    @property
    def available(self) -> int:
        return self.balance - self.pending_debits

    @classmethod
    def of(cls, account: Account | Row) -> AccountView:  # type: ignore[type-arg]
        return cls(
            id=account.id,
            code=account.code,
            kind=account.kind,
            unit=account.unit,
            owner_id=account.owner_id,
            allow_negative=account.allow_negative,
            balance=account.balance,
            pending_debits=account.pending_debits,
            created_at=account.created_at,
        )


def account_code(kind: AccountKind, owner_id: int | None) -> str:
    return f"{kind}/{owner_id}" if owner_id is not None else str(kind)


def open_account(session: Session, kind: AccountKind, owner_id: int | None = None) -> AccountView:
    """The account of this kind (and owner), created on first use.

    Safe under concurrency: two sessions opening the same account meet on the unique `code`;
    the loser's insert is undone in a savepoint and it reads the winner's row.
    """
    rule = KIND_RULES[AccountKind(kind)]
    if rule.personal != (owner_id is not None):
        need = "needs an owner" if rule.personal else "is a system account and has no owner"
        raise InvalidInput(f"account kind {kind} {need}")
    code = account_code(kind, owner_id)
    found = session.scalar(select(Account).where(Account.code == code))
    if found is not None:
        return AccountView.of(found)
    account = Account(
        code=code,
        kind=str(kind),
        unit=str(rule.unit),
        owner_id=owner_id,
        allow_negative=rule.allow_negative,
        balance=0,
        pending_debits=0,
    )
    try:
        with session.begin_nested():
            session.add(account)
    except IntegrityError:
        # Either a concurrent session opened it first, or the owner does not exist.
        winner = session.scalar(select(Account).where(Account.code == code))
        if winner is None:
            raise NotFound(f"person {owner_id} not found") from None
        account = winner
    return AccountView.of(account)


def get_account(session: Session, account_id: int) -> AccountView:
    account = session.scalar(
        select(Account).where(Account.id == account_id).execution_options(populate_existing=True)
    )
    if account is None:
        raise NotFound(f"ledger account {account_id} not found")
    return AccountView.of(account)


def person_accounts(session: Session, person_id: int) -> list[AccountView]:
    """A person's accounts that exist so far (reading never creates one)."""
    rows = session.scalars(
        select(Account)
        .where(Account.owner_id == person_id)
        .order_by(Account.id)
        .execution_options(populate_existing=True)
    )
    return [AccountView.of(a) for a in rows]
