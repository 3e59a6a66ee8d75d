"""Property-based tests: random sequences of ledger operations against a plain Python model.

Hypothesis drives transfers, holds, posts, voids, refunds and retried or reused idempotency
keys; after every step the ledger must agree with the model (what should have succeeded did,
what should have been refused was, a retried key changed nothing) and `verify` must pass:
balances equal the sum of entries, each unit sums to zero, no guarded account below zero.

SQLite in memory, a fresh database per example: fast, and independent of other tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

import backend.models  # noqa: F401  (every table on Base.metadata)
from backend.db import Base, make_engine, make_session_factory
from backend.errors import DomainError
from backend.ledger.accounts import AccountView, open_account
from backend.ledger.errors import InsufficientFunds
from backend.ledger.models import Account, AccountKind
from backend.ledger.service import hold, post, refund, transfer, void
from backend.ledger.verify import verify
from backend.ledger.views import TransferView
from backend.people.models import Person

KEYS = [f"key-{n}" for n in range(6)]
KEY_CHOICES = st.one_of(st.none(), st.sampled_from(KEYS))  # no key, or one of a few, reused
AMOUNTS = st.integers(min_value=1, max_value=300)
Request = tuple[Any, ...]


@dataclass
class Paid:
    debit: int
    credit: int
    amount: int
    refunded: int = 0


@dataclass
class Held:
    debit: int
    credit: int
    amount: int
    status: str = "pending"


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = make_engine("sqlite:///:memory:")
        Base.metadata.create_all(self.engine)
        self.factory = make_session_factory(self.engine)
        with self.factory() as s, s.begin():
            people = [Person(display_name=f"Voisin {n}") for n in range(3)]
            s.add_all(people)
            s.flush()
            kinds = [AccountKind.person_wallet, AccountKind.person_dues, AccountKind.person_time]
            self.accounts: list[AccountView] = [
                open_account(s, kind, p.id) for p in people for kind in kinds
            ] + [
                open_account(s, AccountKind.cash_clearing),
                open_account(s, AccountKind.time_issuance),
                open_account(s, AccountKind.platform_commission),
            ]
        self.by_id = {a.id: a for a in self.accounts}
        self.balance = {a.id: 0 for a in self.accounts}
        self.pending = {a.id: 0 for a in self.accounts}
        self.paid: dict[int, Paid] = {}
        self.holds: dict[int, Held] = {}
        self.keys: dict[str, tuple[Request, int]] = {}
        # Start with money and minutes where they can be spent, so most steps do something.
        sources = {"EUR": self.accounts[-3].id, "MIN": self.accounts[-2].id}
        for account in self.accounts[:9]:
            if not account.allow_negative:
                self.run(("transfer", sources[account.unit], account.id, 1_000), None)

    def teardown(self) -> None:
        self.engine.dispose()

    # --- the model ---------------------------------------------------------------------

    def available(self, account_id: int) -> int:
        if self.by_id[account_id].allow_negative:
            return 10**12
        return self.balance[account_id] - self.pending[account_id]

    def expected(self, request: Request) -> str:
        """ "ok", or the refusal the ledger must answer with (any domain error: "error")."""
        op, *args = request
        if op in ("transfer", "hold"):
            debit, credit, amount = args
            if self.by_id[debit].unit != self.by_id[credit].unit:
                return "error"
            return "ok" if self.available(debit) >= amount else "insufficient"
        if op in ("post", "void"):
            held = self.holds[args[0]]
            if held.status != "pending" or (op == "post" and args[1] > held.amount):
                return "error"
            return "ok"
        original, amount = args
        paid = self.paid[original]
        if amount > paid.amount - paid.refunded:
            return "error"
        return "ok" if self.available(paid.credit) >= amount else "insufficient"

    def apply(self, request: Request, done: TransferView) -> None:
        op, *args = request
        if op == "transfer":
            debit, credit, amount = args
            self.balance[debit] -= amount
            self.balance[credit] += amount
            self.paid[done.id] = Paid(debit, credit, amount)
        elif op == "hold":
            self.pending[args[0]] += args[2]
            self.holds[done.id] = Held(*args)
        elif op == "post":
            held = self.holds[args[0]]
            self.pending[held.debit] -= held.amount
            self.balance[held.debit] -= args[1]
            self.balance[held.credit] += args[1]
            held.status = "posted"
            self.paid[done.id] = Paid(held.debit, held.credit, args[1])
        elif op == "void":
            held = self.holds[args[0]]
            self.pending[held.debit] -= held.amount
            held.status = "voided"
        else:
            paid = self.paid[args[0]]
            paid.refunded += args[1]
            self.balance[paid.credit] -= args[1]
            self.balance[paid.debit] += args[1]

    # --- running a request against the ledger and the model ----------------------------

    def run(self, request: Request, key: str | None) -> None:
        op, *args = request
        try:
            with self.factory() as s, s.begin():
                if op in ("transfer", "hold"):
                    call = transfer if op == "transfer" else hold
                    done = call(
                        s,
                        debit_account_id=args[0],
                        credit_account_id=args[1],
                        amount=args[2],
                        idempotency_key=key,
                    )
                elif op == "post":
                    done = post(s, args[0], amount=args[1], idempotency_key=key)
                elif op == "void":
                    done = void(s, args[0], idempotency_key=key)
                else:
                    done = refund(s, args[0], amount=args[1], idempotency_key=key)
            outcome: TransferView | DomainError = done
        except DomainError as refused:
            outcome = refused

        event(f"{op}: {type(outcome).__name__}")
        if key is not None and key in self.keys:
            first_request, first_id = self.keys[key]
            if first_request == request:  # a retry: the first result, nothing new
                assert isinstance(outcome, TransferView), outcome
                assert outcome.replayed and outcome.id == first_id
            else:  # the key names another request: refused, nothing moves
                assert isinstance(outcome, DomainError), (request, first_request)
            return
        expected = self.expected(request)
        if expected == "ok":
            assert isinstance(outcome, TransferView), (request, outcome)
            assert not outcome.replayed
            self.apply(request, outcome)
            if key is not None:
                self.keys[key] = (request, outcome.id)
        elif expected == "insufficient":
            assert isinstance(outcome, InsufficientFunds), (request, outcome)
        else:
            assert isinstance(outcome, DomainError), (request, outcome)

    # --- rules -------------------------------------------------------------------------

    # Rules without preconditions: each returns early when it has nothing to act on, which
    # keeps Hypothesis from discarding examples while the ledger is still empty.

    @rule(data=st.data(), amount=AMOUNTS, key=KEY_CHOICES, as_hold=st.booleans())
    def move(self, data: st.DataObject, amount: int, key: str | None, as_hold: bool) -> None:
        debit = data.draw(st.sampled_from(list(self.by_id)), label="debit")
        # Mostly within a unit; now and then across units, which must be refused.
        cross = data.draw(st.integers(0, 9), label="cross") == 0
        unit = self.by_id[debit].unit
        choices = [a.id for a in self.accounts if a.id != debit and (a.unit != unit) == cross]
        credit = data.draw(st.sampled_from(choices), label="credit")
        self.run(("hold" if as_hold else "transfer", debit, credit, amount), key)

    @rule(data=st.data(), key=KEY_CHOICES, extra=st.integers(min_value=-300, max_value=20))
    def capture(self, data: st.DataObject, key: str | None, extra: int) -> None:
        if self.holds:
            hold_id = data.draw(st.sampled_from(sorted(self.holds)), label="hold")
            self.run(("post", hold_id, max(1, self.holds[hold_id].amount + extra)), key)

    @rule(data=st.data(), key=KEY_CHOICES)
    def release(self, data: st.DataObject, key: str | None) -> None:
        if self.holds:
            self.run(("void", data.draw(st.sampled_from(sorted(self.holds)), label="hold")), key)

    @rule(data=st.data(), key=KEY_CHOICES)
    def give_back(self, data: st.DataObject, key: str | None) -> None:
        if self.paid:
            original = data.draw(st.sampled_from(sorted(self.paid)), label="original")
            paid = self.paid[original]
            left = paid.amount - paid.refunded
            # Often exactly one more than what is left: the boundary that must be refused.
            amount = st.one_of(st.just(left + 1), st.integers(1, max(1, left)))
            self.run(("refund", original, data.draw(amount, label="amount")), key)

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        if self.keys:
            key = data.draw(st.sampled_from(sorted(self.keys)), label="retried key")
            self.run(self.keys[key][0], key)

    # --- invariants --------------------------------------------------------------------

    @invariant()
    def ledger_matches_the_model_and_verifies(self) -> None:
        with self.factory() as s:
            rows = s.execute(select(Account.id, Account.balance, Account.pending_debits)).all()
            assert {r.id: r.balance for r in rows} == self.balance
            assert {r.id: r.pending_debits for r in rows} == self.pending
            report = verify(s)
            assert report.ok, report.describe()
            assert set(report.totals.values()) <= {0}


LedgerMachine.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_ledger_invariants_hold_under_random_operations = LedgerMachine.TestCase
