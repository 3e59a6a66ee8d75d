"""Value entering the ledger from outside: cash handed to the association, time credits
granted by the time bank. Each comes from a system account that may run negative, so the
sum of all balances stays zero."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.ledger import service
from backend.ledger.accounts import open_account
from backend.ledger.models import AccountKind, TransferKind, Unit
from backend.ledger.views import TransferView


def record_cash_deposit(
    session: Session,
    person_id: int,
    amount_cents: int,
    *,
    memo: str = "cash handed to the association",
    actor_id: int | None = None,
    idempotency_key: str | None = None,
) -> TransferView:
    """A person handed cash to a dispatcher (typically the commission they owe): it settles
    their dues. `cash_clearing` -> `person_dues`."""
    return service.transfer(
        session,
        debit_account_id=open_account(session, AccountKind.cash_clearing).id,
        credit_account_id=open_account(session, AccountKind.person_dues, person_id).id,
        amount=amount_cents,
        unit=Unit.EUR,
        kind=TransferKind.cash_deposit,
        memo=memo,
        actor_id=actor_id,
        idempotency_key=idempotency_key,
    )


def issue_time_credits(
    session: Session,
    person_id: int,
    minutes: int,
    *,
    memo: str = "time credits granted",
    actor_id: int | None = None,
    idempotency_key: str | None = None,
) -> TransferView:
    """Credit a person's time account (welcome credits, a grant): `time_issuance` ->
    `person_time`."""
    return service.transfer(
        session,
        debit_account_id=open_account(session, AccountKind.time_issuance).id,
        credit_account_id=open_account(session, AccountKind.person_time, person_id).id,
        amount=minutes,
        unit=Unit.MIN,
        kind=TransferKind.issuance,
        memo=memo,
        actor_id=actor_id,
        idempotency_key=idempotency_key,
    )
