"""Settling finished jobs: cash with commission, time credits, volunteer help."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.errors import Conflict, InvalidInput
from backend.ledger.accounts import get_account, open_account
from backend.ledger.errors import InsufficientFunds
from backend.ledger.funding import issue_time_credits, record_cash_deposit
from backend.ledger.jobs import commission_for, settle_job
from backend.ledger.models import AccountKind, JobSettlement
from backend.ledger.service import hold, refund
from backend.requests.models import HelpRequest, PayMode
from tests.factories import make_helper, make_request, make_resident
from tests.ledger.ledger_helpers import assert_sound, balance


def _job(session: Session, pay_mode: PayMode = PayMode.cash) -> tuple[HelpRequest, int, int]:
    requester, helper = make_resident(session), make_helper(session)
    price = 2_000 if pay_mode == PayMode.cash else None
    request = make_request(session, requester, pay_mode=pay_mode, price_cents=price)
    return request, requester.id, helper.id


@pytest.mark.parametrize(
    ("price", "bps", "commission"),
    [(2_000, 1_000, 200), (999, 1_250, 125), (1, 5_000, 1), (1, 4_999, 0), (2_000, 0, 0)],
)
def test_commission_is_rounded_half_up_to_the_cent(price: int, bps: int, commission: int) -> None:
    assert commission_for(price, bps) == commission


def test_cash_job_books_the_commission_the_helper_owes(session: Session) -> None:
    job, requester, helper = _job(session)
    settled = settle_job(
        session,
        request_id=job.id,
        requester_id=requester,
        helper_id=helper,
        pay_mode=PayMode.cash,
        price_cents=2_000,
        commission_bps=1_000,
    )
    session.commit()
    assert (settled.amount, settled.commission) == (2_000, 200)
    dues = open_account(session, AccountKind.person_dues, helper)
    assert dues.balance == -200  # the helper owes 2 euros
    assert balance(session, open_account(session, AccountKind.platform_commission).id) == 200
    # The helper hands the commission over in cash: dues settled, cash clearing records it.
    record_cash_deposit(session, helper, 200)
    assert get_account(session, dues.id).balance == 0
    assert balance(session, open_account(session, AccountKind.cash_clearing).id) == -200
    assert_sound(session)


def test_settling_twice_returns_the_first_settlement(session: Session) -> None:
    job, requester, helper = _job(session)
    terms = dict(
        request_id=job.id,
        requester_id=requester,
        helper_id=helper,
        pay_mode=PayMode.cash,
        price_cents=2_000,
        commission_bps=1_000,
    )
    first = settle_job(session, **terms)  # type: ignore[arg-type]
    session.commit()
    again = settle_job(session, **terms)  # type: ignore[arg-type]
    assert again.id == first.id and again.replayed
    assert again.transfer_id == first.transfer_id
    with pytest.raises(Conflict, match="other terms"):
        settle_job(session, **{**terms, "price_cents": 2_500})  # type: ignore[arg-type]
    session.rollback()
    assert open_account(session, AccountKind.person_dues, helper).balance == -200


def test_volunteer_help_moves_no_money(session: Session) -> None:
    job, requester, helper = _job(session, PayMode.volunteer)
    settled = settle_job(
        session,
        request_id=job.id,
        requester_id=requester,
        helper_id=helper,
        pay_mode=PayMode.volunteer,
        commission_bps=1_000,
    )
    assert (settled.amount, settled.commission, settled.transfer_id) == (0, 0, None)


def test_time_credits_pay_the_duration_from_requester_to_helper(session: Session) -> None:
    job, requester, helper = _job(session, PayMode.time_credits)
    issue_time_credits(session, requester, 120)
    settled = settle_job(
        session,
        request_id=job.id,
        requester_id=requester,
        helper_id=helper,
        pay_mode=PayMode.time_credits,
        duration_minutes=90,
        commission_bps=1_000,  # ignored: no commission on time
    )
    assert settled.commission == 0
    assert open_account(session, AccountKind.person_time, requester).balance == 30
    assert open_account(session, AccountKind.person_time, helper).balance == 90
    back = refund(session, settled.transfer_id or 0, amount=30)
    assert back.amount == 30
    assert open_account(session, AccountKind.person_time, requester).balance == 60
    assert_sound(session)


def test_time_credit_job_captures_the_hold_placed_at_assignment(session: Session) -> None:
    job, requester, helper = _job(session, PayMode.time_credits)
    issue_time_credits(session, requester, 120)
    payer = open_account(session, AccountKind.person_time, requester)
    payee = open_account(session, AccountKind.person_time, helper)
    reserved = hold(session, debit_account_id=payer.id, credit_account_id=payee.id, amount=120)
    settle_job(
        session,
        request_id=job.id,
        requester_id=requester,
        helper_id=helper,
        pay_mode=PayMode.time_credits,
        duration_minutes=60,
        hold_id=reserved.id,
    )
    payer = get_account(session, payer.id)
    assert (payer.balance, payer.available) == (60, 60)
    assert_sound(session)


def test_not_enough_time_credits_leaves_no_settlement_behind(session: Session) -> None:
    job, requester, helper = _job(session, PayMode.time_credits)
    issue_time_credits(session, requester, 30)
    with pytest.raises(InsufficientFunds):
        settle_job(
            session,
            request_id=job.id,
            requester_id=requester,
            helper_id=helper,
            pay_mode=PayMode.time_credits,
            duration_minutes=60,
        )
    # Even a caller that swallows the error and commits keeps a consistent ledger.
    session.commit()
    assert session.scalar(select(func.count()).select_from(JobSettlement)) == 0
    assert_sound(session)


@pytest.mark.parametrize(
    "terms",
    [
        {"pay_mode": PayMode.cash, "price_cents": 0},
        {"pay_mode": PayMode.cash, "price_cents": 100, "commission_bps": 10_001},
        {"pay_mode": PayMode.time_credits, "duration_minutes": None},
    ],
)
def test_settlement_terms_are_checked(session: Session, terms: dict[str, object]) -> None:
    job, requester, helper = _job(session)
    with pytest.raises(InvalidInput):
        settle_job(
            session,
            request_id=job.id,
            requester_id=requester,
            helper_id=helper,
            **terms,  # type: ignore[arg-type]
        )
