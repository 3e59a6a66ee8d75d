"""Domain rules of the ledger, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import Conflict, InvalidInput, NotFound
from backend.ledger.accounts import open_account, person_accounts
from backend.ledger.errors import InsufficientFunds
from backend.ledger.models import AccountKind, Entry, Transfer, TransferKind
from backend.ledger.service import hold, post, refund, transfer, void
from backend.ledger.statements import person_statement, statement
from backend.ledger.verify import verify
from tests.ledger.ledger_helpers import assert_sound, balance, person, wallet


def test_transfer_moves_money_with_two_balanced_entries(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    done = transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=250)
    session.commit()
    assert (balance(session, alice.id), balance(session, bob.id)) == (750, 250)
    legs = session.scalars(select(Entry).where(Entry.transfer_id == done.id)).all()
    assert sorted((e.account_id, e.amount) for e in legs) == sorted(
        [(alice.id, -250), (bob.id, 250)]
    )
    assert_sound(session)


def test_overdraft_is_refused_and_writes_nothing(session: Session) -> None:
    alice, bob = wallet(session, person(session), 100), wallet(session, person(session))
    session.commit()
    with pytest.raises(InsufficientFunds) as refused:
        transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=101)
    assert refused.value.details["available"] == 100
    session.rollback()
    assert balance(session, alice.id) == 100
    assert session.scalar(select(Transfer.id).where(Transfer.credit_account_id == bob.id)) is None


def test_system_source_accounts_may_run_negative(session: Session) -> None:
    clearing = open_account(session, AccountKind.cash_clearing)
    wallet(session, person(session), 5_000)
    assert balance(session, clearing.id) == -5_000
    assert_sound(session)


def test_transfer_never_crosses_units(session: Session) -> None:
    owner = person(session)
    euros = wallet(session, owner, 500)
    minutes = open_account(session, AccountKind.person_time, owner)
    with pytest.raises(InvalidInput, match="units"):
        transfer(session, debit_account_id=euros.id, credit_account_id=minutes.id, amount=10)
    with pytest.raises(InvalidInput, match="units"):
        transfer(
            session,
            debit_account_id=euros.id,
            credit_account_id=wallet(session, person(session)).id,
            amount=10,
            unit="MIN",
        )


@pytest.mark.parametrize("amount", [0, -5])
def test_amounts_are_positive(session: Session, amount: int) -> None:
    alice, bob = wallet(session, person(session), 100), wallet(session, person(session))
    with pytest.raises(InvalidInput):
        transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=amount)


def test_unknown_account_is_not_found(session: Session) -> None:
    alice = wallet(session, person(session), 100)
    with pytest.raises(NotFound):
        transfer(session, debit_account_id=alice.id, credit_account_id=999_999, amount=1)


def test_same_key_same_request_returns_the_first_transfer(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    first = transfer(
        session,
        debit_account_id=alice.id,
        credit_account_id=bob.id,
        amount=300,
        idempotency_key="k1",
    )
    session.commit()
    again = transfer(
        session,
        debit_account_id=alice.id,
        credit_account_id=bob.id,
        amount=300,
        idempotency_key="k1",
    )
    session.commit()
    assert again.id == first.id and again.replayed and not first.replayed
    assert balance(session, bob.id) == 300


def test_retry_is_answered_even_when_the_money_is_gone_since(session: Session) -> None:
    alice, bob = wallet(session, person(session), 300), wallet(session, person(session))
    first = transfer(
        session,
        debit_account_id=alice.id,
        credit_account_id=bob.id,
        amount=300,
        idempotency_key="k",
    )
    session.commit()
    again = transfer(
        session,
        debit_account_id=alice.id,
        credit_account_id=bob.id,
        amount=300,
        idempotency_key="k",
    )
    assert again.id == first.id


def test_same_key_other_request_is_a_conflict(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    transfer(
        session,
        debit_account_id=alice.id,
        credit_account_id=bob.id,
        amount=300,
        idempotency_key="k",
    )
    session.commit()
    with pytest.raises(Conflict, match="different request"):
        transfer(
            session,
            debit_account_id=alice.id,
            credit_account_id=bob.id,
            amount=301,
            idempotency_key="k",
        )
    session.rollback()
    hold_ = hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=10)
    with pytest.raises(Conflict, match="different request"):
        post(session, hold_.id, idempotency_key="k")  # keys are one namespace


def test_hold_reserves_then_post_captures_less_and_releases_the_rest(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    pending = hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=600)
    session.commit()
    account = open_account(session, AccountKind.person_wallet, alice.owner_id)
    assert (account.balance, account.available) == (1_000, 400)
    with pytest.raises(InsufficientFunds):
        transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=401)
    session.rollback()
    capture = post(session, pending.id, amount=450)
    session.commit()
    assert capture.kind == TransferKind.capture and capture.pending_id == pending.id
    account = open_account(session, AccountKind.person_wallet, alice.owner_id)
    assert (account.balance, account.pending_debits) == (550, 0)
    assert balance(session, bob.id) == 450
    assert_sound(session)


def test_a_hold_is_resolved_exactly_once(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    pending = hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=500)
    first = post(session, pending.id, idempotency_key="capture-1")
    session.commit()
    assert post(session, pending.id, idempotency_key="capture-1").id == first.id
    with pytest.raises(Conflict, match="already posted"):
        post(session, pending.id)
    with pytest.raises(Conflict, match="already posted"):
        void(session, pending.id)
    session.rollback()
    assert balance(session, bob.id) == 500
    assert_sound(session)


def test_void_releases_the_hold_and_moves_nothing(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    pending = hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=700)
    released = void(session, pending.id)
    session.commit()
    assert released.kind == TransferKind.void
    account = open_account(session, AccountKind.person_wallet, alice.owner_id)
    assert (account.balance, account.available) == (1_000, 1_000)
    with pytest.raises(Conflict, match="already voided"):
        post(session, pending.id)
    session.rollback()
    assert_sound(session)


def test_hold_beyond_available_is_refused(session: Session) -> None:
    alice, bob = wallet(session, person(session), 100), wallet(session, person(session))
    hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=80)
    with pytest.raises(InsufficientFunds):
        hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=21)


def test_capture_cannot_exceed_the_hold(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    pending = hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=100)
    with pytest.raises(InvalidInput):
        post(session, pending.id, amount=101)


def test_refunds_never_exceed_what_was_paid(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    paid = transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=400)
    back = refund(session, paid.id, amount=150)
    assert back.reverses_id == paid.id
    assert (back.debit_account_id, back.credit_account_id) == (bob.id, alice.id)
    with pytest.raises(Conflict, match="at most 250"):
        refund(session, paid.id, amount=251)
    rest = refund(session, paid.id)  # default: what is left
    assert rest.amount == 250
    with pytest.raises(Conflict, match="fully refunded"):
        refund(session, paid.id, amount=1)
    session.commit()
    assert (balance(session, alice.id), balance(session, bob.id)) == (1_000, 0)
    assert_sound(session)


def test_refund_needs_the_money_back_on_the_credited_account(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    carol = wallet(session, person(session))
    paid = transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=400)
    transfer(session, debit_account_id=bob.id, credit_account_id=carol.id, amount=300)
    with pytest.raises(InsufficientFunds):
        refund(session, paid.id, amount=101)


def test_a_captured_hold_is_refunded_through_its_capture(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    pending = hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=500)
    capture = post(session, pending.id, amount=200)
    back = refund(session, pending.id)
    assert back.reverses_id == capture.id and back.amount == 200
    open_hold = hold(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=5)
    with pytest.raises(Conflict, match="moved no money"):
        refund(session, open_hold.id)


def test_refund_is_idempotent_with_its_key(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    paid = transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=400)
    session.commit()
    first = refund(session, paid.id, amount=100, idempotency_key="r1")
    session.commit()
    assert refund(session, paid.id, amount=100, idempotency_key="r1").id == first.id
    assert balance(session, bob.id) == 300


def test_accounts_are_opened_once_with_the_rules_of_their_kind(session: Session) -> None:
    owner = person(session)
    first = open_account(session, AccountKind.person_time, owner)
    assert open_account(session, AccountKind.person_time, owner).id == first.id
    assert (first.unit, first.allow_negative) == ("MIN", False)
    dues = open_account(session, AccountKind.person_dues, owner)
    assert (dues.unit, dues.allow_negative) == ("EUR", True)
    assert [a.id for a in person_accounts(session, owner)] == [first.id, dues.id]
    with pytest.raises(InvalidInput):
        open_account(session, AccountKind.cash_clearing, owner)
    with pytest.raises(InvalidInput):
        open_account(session, AccountKind.person_wallet)
    with pytest.raises(NotFound):
        open_account(session, AccountKind.person_wallet, 999_999)


def test_statement_pages_with_a_cursor_newest_first(session: Session) -> None:
    owner = person(session)
    alice, bob = wallet(session, owner, 1_000), wallet(session, person(session))
    for cents in (10, 20, 30, 40, 50):
        transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=cents)
    session.commit()
    first = statement(session, [alice.id], limit=4)
    assert [line.amount for line in first.lines] == [-50, -40, -30, -20]
    assert [line.balance_after for line in first.lines] == [850, 900, 940, 970]
    assert first.lines[0].counterparty_account_id == bob.id
    second = statement(session, [alice.id], limit=4, before=first.next_before)
    assert [line.amount for line in second.lines] == [-10, 1_000]
    assert second.next_before is None
    assert len(person_statement(session, owner, limit=50).lines) == 6


def test_database_refuses_an_overdraft_even_if_code_tried(session: Session) -> None:
    alice = wallet(session, person(session), 100)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(
            text("UPDATE ledger_accounts SET balance = -1 WHERE id = :id"), {"id": alice.id}
        )
    session.rollback()


def test_verify_notices_a_tampered_balance(session: Session) -> None:
    alice, bob = wallet(session, person(session), 1_000), wallet(session, person(session))
    transfer(session, debit_account_id=alice.id, credit_account_id=bob.id, amount=10)
    session.execute(
        text("UPDATE ledger_accounts SET balance = balance + 1 WHERE id = :id"), {"id": bob.id}
    )
    report = verify(session)
    assert not report.ok
    assert "balance differs from the sum of its entries" in report.problems
    assert "balances of a unit do not sum to zero" in report.problems
    assert "an entry's running balance is wrong" not in report.problems
