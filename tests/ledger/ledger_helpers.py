"""Small builders shared by the ledger tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.ledger.accounts import AccountView, get_account, open_account
from backend.ledger.models import AccountKind
from backend.ledger.service import transfer
from backend.ledger.verify import verify
from backend.people.models import Person


def person(session: Session, name: str = "Voisin") -> int:
    row = Person(display_name=name)
    session.add(row)
    session.flush()
    return row.id


def wallet(session: Session, owner_id: int, cents: int = 0) -> AccountView:
    """A person's euro wallet, funded from cash clearing when `cents` > 0."""
    account = open_account(session, AccountKind.person_wallet, owner_id)
    if cents:
        transfer(
            session,
            debit_account_id=open_account(session, AccountKind.cash_clearing).id,
            credit_account_id=account.id,
            amount=cents,
        )
    return account


def balance(session: Session, account_id: int) -> int:
    return get_account(session, account_id).balance


def assert_sound(session: Session) -> None:
    report = verify(session)
    assert report.ok, report.describe()
