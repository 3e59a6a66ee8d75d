"""What a dispatcher reads about money: open holds, the latest transfers with who is on each
side, and how much of a transfer is still refundable. Reading only; nothing here moves money."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from backend.ledger.models import Account, Transfer, TransferKind, TransferStatus
from backend.ledger.service import NOT_REFUNDABLE, refunded_so_far
from backend.people.models import Person

MAX_LINES = 200


@dataclass(frozen=True)
class Party:
    """One side of a transfer: an account, and its owner when it is a person's."""

    account_id: int
    kind: str
    owner_id: int | None
    owner_name: str | None


@dataclass(frozen=True)
class TransferLine:
    id: int
    kind: str
    status: str
    unit: str
    amount: int
    memo: str
    job_id: int | None
    created_at: datetime
    debit: Party
    credit: Party


_DEBIT, _CREDIT = aliased(Account), aliased(Account)
_PAYER, _PAYEE = aliased(Person), aliased(Person)


def _lines() -> Select:  # type: ignore[type-arg]
    return (
        select(
            Transfer,
            _DEBIT.kind,
            _DEBIT.owner_id,
            _PAYER.display_name,
            _CREDIT.kind,
            _CREDIT.owner_id,
            _PAYEE.display_name,
        )
        .join(_DEBIT, _DEBIT.id == Transfer.debit_account_id)
        .join(_CREDIT, _CREDIT.id == Transfer.credit_account_id)
        .outerjoin(_PAYER, _PAYER.id == _DEBIT.owner_id)
        .outerjoin(_PAYEE, _PAYEE.id == _CREDIT.owner_id)
        .order_by(Transfer.id.desc())
    )


def _of_person(stmt: Select, person_id: int | None) -> Select:  # type: ignore[type-arg]
    if person_id is None:
        return stmt
    return stmt.where(or_(_DEBIT.owner_id == person_id, _CREDIT.owner_id == person_id))


def _read(session: Session, stmt: Select) -> list[TransferLine]:  # type: ignore[type-arg]
    lines = []
    for t, d_kind, d_owner, d_name, c_kind, c_owner, c_name in session.execute(stmt):
        lines.append(
            TransferLine(
                id=t.id,
                kind=t.kind,
                status=t.status,
                unit=t.unit,
                amount=t.amount,
                memo=t.memo,
                job_id=t.job_id,
                created_at=t.created_at,
                debit=Party(t.debit_account_id, d_kind, d_owner, d_name),
                credit=Party(t.credit_account_id, c_kind, c_owner, c_name),
            )
        )
    return lines


def pending_holds(
    session: Session, *, person_id: int | None = None, limit: int = 100
) -> list[TransferLine]:
    """Holds not yet captured nor released, newest first; of one person (either side) if given."""
    stmt = _lines().where(
        Transfer.kind == TransferKind.hold, Transfer.status == TransferStatus.pending
    )
    return _read(session, _of_person(stmt, person_id).limit(max(1, min(limit, MAX_LINES))))


def latest_transfers(
    session: Session, *, person_id: int | None = None, limit: int = 50
) -> list[TransferLine]:
    """Every kind of transfer (holds and their resolutions included), newest first."""
    stmt = _of_person(_lines(), person_id).limit(max(1, min(limit, MAX_LINES)))
    return _read(session, stmt)


def parties(session: Session, account_ids: Iterable[int]) -> dict[int, Party]:
    """The accounts named by id, with their owners: the other side of statement lines."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Account.id, Account.kind, Account.owner_id, Person.display_name)
        .outerjoin(Person, Person.id == Account.owner_id)
        .where(Account.id.in_(ids))
    )
    return {row[0]: Party(*row) for row in rows}


def refundable(session: Session, transfer_ids: Iterable[int]) -> dict[int, int]:
    """For each named transfer that moved money and may be refunded, what is left to refund
    (absent: nothing can be refunded: a hold, a void, a refund, or fully refunded)."""
    ids = sorted(set(transfer_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Transfer.id, Transfer.amount - refunded_so_far(Transfer.id)).where(
            Transfer.id.in_(ids),
            Transfer.status == TransferStatus.posted,
            Transfer.kind.not_in(NOT_REFUNDABLE),
        )
    )
    return {transfer_id: int(left) for transfer_id, left in rows if left > 0}
