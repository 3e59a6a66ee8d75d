"""Settling a finished job: what the ledger records for each way of paying.

- volunteer: nothing moves; the settlement row alone says the job was free.
- cash: the requester hands the price P to the helper, outside the system. The platform never
  held that money, so it moves no balance of ours; the settlement row records P. What the
  platform does gain is a claim: the helper owes the commission C = P x rate (basis points,
  rounded half up to the cent), booked as helper `person_dues` -> `platform_commission`. The
  helper's dues go negative (a debt), and come back up when they hand the commission over in
  cash (`record_cash_deposit`: `cash_clearing` -> `person_dues`).
- time credits: the requester's `person_time` pays the duration in minutes to the helper's,
  no commission (an hour is an hour). If a hold was placed at assignment, it is captured
  (possibly for fewer minutes than reserved) instead of a new transfer.
- card (later): a `card_clearing` account stands for money at the provider: a captured card
  payment is `card_clearing` -> requester wallet -> helper wallet, the commission is taken from
  the helper's wallet, and payouts go back to `card_clearing`.

To refund a job, refund its `transfer_id` (`service.refund`): the commission goes back to the
helper's dues, or the minutes to the requester; never more than was paid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import Conflict, InvalidInput
from backend.ledger import service
from backend.ledger.accounts import open_account
from backend.ledger.idempotency import request_hash
from backend.ledger.models import AccountKind, JobSettlement, TransferKind
from backend.requests.models import PayMode

settlements_t = cast(Table, JobSettlement.__table__)
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class SettlementView:
    id: int
    request_id: int
    pay_mode: str
    requester_id: int
    helper_id: int
    amount: int
    commission_bps: int
    commission: int
    transfer_id: int | None
    created_at: datetime
    replayed: bool = False


def commission_for(price_cents: int, commission_bps: int) -> int:
    """The platform's cut, rounded half up to the cent (integers only: no float drift)."""
    return (price_cents * commission_bps + BASIS_POINTS // 2) // BASIS_POINTS


def settle_job(
    session: Session,
    *,
    request_id: int,
    requester_id: int,
    helper_id: int,
    pay_mode: PayMode,
    price_cents: int | None = None,
    duration_minutes: int | None = None,
    commission_bps: int = 0,
    hold_id: int | None = None,
    actor_id: int | None = None,
) -> SettlementView:
    """Record the payment of a finished job, once: settling the same job again with the same
    facts returns the first settlement (`replayed=True`); with other facts, a Conflict."""
    pay_mode = PayMode(pay_mode)
    amount, commission, bps = _terms(pay_mode, price_cents, duration_minutes, commission_bps)
    if requester_id == helper_id:
        raise InvalidInput("the requester cannot pay themselves")
    fingerprint = request_hash(
        "settle_job",
        request=request_id,
        requester=requester_id,
        helper=helper_id,
        mode=str(pay_mode),
        amount=amount,
        bps=bps,
        hold=hold_id,
    )
    # All or nothing, even if the caller catches our error and carries on with its transaction.
    with session.begin_nested():
        earlier = _earlier(session, request_id, fingerprint)
        if earlier is not None:
            return earlier
        try:
            with session.begin_nested():
                settlement_id = session.execute(
                    insert(settlements_t)
                    .values(
                        request_id=request_id,
                        pay_mode=str(pay_mode),
                        requester_id=requester_id,
                        helper_id=helper_id,
                        amount=amount,
                        commission_bps=bps,
                        commission=commission,
                        request_hash=fingerprint,
                        created_at=utcnow(),
                    )
                    .returning(settlements_t.c.id)
                ).scalar_one()
        except IntegrityError:  # a concurrent settlement of this job committed first
            earlier = _earlier(session, request_id, fingerprint)
            if earlier is None:
                raise
            return earlier
        transfer_id = _move(
            session, pay_mode, request_id, requester_id, helper_id, amount, commission, hold_id,
            actor_id,
        )  # fmt: skip
        session.execute(
            update(settlements_t)
            .where(settlements_t.c.id == settlement_id)
            .values(transfer_id=transfer_id)
        )
    found = _earlier(session, request_id, fingerprint)
    assert found is not None
    return replace(found, replayed=False)


def _terms(
    pay_mode: PayMode, price_cents: int | None, duration_minutes: int | None, bps: int
) -> tuple[int, int, int]:
    """(amount, commission, commission_bps) after checking the job's payment facts."""
    if not 0 <= bps <= BASIS_POINTS:
        raise InvalidInput("the commission rate is between 0 and 10000 basis points")
    if pay_mode == PayMode.volunteer:
        return 0, 0, 0
    if pay_mode == PayMode.cash:
        if not price_cents or price_cents <= 0:
            raise InvalidInput("a cash job needs a positive price in cents")
        return price_cents, commission_for(price_cents, bps), bps
    if not duration_minutes or duration_minutes <= 0:
        raise InvalidInput("a time-credit job needs a positive duration in minutes")
    return duration_minutes, 0, 0


def _move(
    session: Session,
    pay_mode: PayMode,
    request_id: int,
    requester_id: int,
    helper_id: int,
    amount: int,
    commission: int,
    hold_id: int | None,
    actor_id: int | None,
) -> int | None:
    if pay_mode == PayMode.cash and commission > 0:
        return service.transfer(
            session,
            debit_account_id=open_account(session, AccountKind.person_dues, helper_id).id,
            credit_account_id=open_account(session, AccountKind.platform_commission).id,
            amount=commission,
            kind=TransferKind.commission,
            memo=f"commission on job {request_id}",
            job_id=request_id,
            actor_id=actor_id,
        ).id
    if pay_mode != PayMode.time_credits:
        return None
    payer = open_account(session, AccountKind.person_time, requester_id).id
    payee = open_account(session, AccountKind.person_time, helper_id).id
    if hold_id is not None:
        reserved = service.get_transfer(session, hold_id)
        if (reserved.debit_account_id, reserved.credit_account_id) != (payer, payee):
            raise Conflict(f"hold {hold_id} is not between this job's requester and helper")
        return service.post(session, hold_id, amount=amount, actor_id=actor_id).id
    return service.transfer(
        session,
        debit_account_id=payer,
        credit_account_id=payee,
        amount=amount,
        kind=TransferKind.job_payment,
        memo=f"time credits for job {request_id}",
        job_id=request_id,
        actor_id=actor_id,
    ).id


def _earlier(session: Session, request_id: int, fingerprint: str) -> SettlementView | None:
    row = session.execute(
        select(settlements_t).where(settlements_t.c.request_id == request_id).with_for_update()
    ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise Conflict(
            f"job {request_id} was already settled with other terms", settlement_id=row.id
        )
    fields = {k: v for k, v in row._mapping.items() if k != "request_hash"}
    return SettlementView(**fields, replayed=True)
