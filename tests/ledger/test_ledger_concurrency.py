"""Many writers at once: balances stay exact, every retried key posts once, nothing deadlocks.

On PostgreSQL, 32 threads (one connection each) hammer a handful of accounts with transfers
(some overdrawing), keyed requests that several threads send at the same moment, holds that
several threads try to post or void, and competing refunds. SQLite runs the same with fewer
threads: one writer at a time (BEGIN IMMEDIATE), the others wait.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import make_session_factory
from backend.errors import Conflict
from backend.ledger.accounts import open_account
from backend.ledger.errors import InsufficientFunds
from backend.ledger.models import Account, AccountKind, Transfer
from backend.ledger.service import hold, post, refund, transfer, void
from backend.ledger.views import TransferView
from tests.ledger.ledger_helpers import assert_sound, person, wallet

START = 10_000  # cents in each wallet at the start


@dataclass
class Shared:
    wallets: list[int]
    clearing: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    results_by_key: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    moved: list[TransferView] = field(default_factory=list)  # acknowledged, first time
    holds: list[int] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)


Op = Callable[[Session], TransferView]
Keyed = list[tuple[str, int, int]]  # (key, credited wallet, amount): gifts from cash clearing
PLAN = ["transfer"] * 4 + ["hold", "resolve", "refund"] + ["keyed"] * 3


def _pick(rng: random.Random, shared: Shared, keyed: Keyed, n: int) -> tuple[Op, str | None] | None:
    """The next operation and its idempotency key, if any; None when there is nothing yet to
    resolve or refund."""
    choice = rng.choice(PLAN)
    debit, credit = rng.sample(shared.wallets, 2)
    if choice == "transfer":  # sometimes more than the wallet has
        amount = rng.randint(1, 3_000)
        return partial(
            transfer, debit_account_id=debit, credit_account_id=credit, amount=amount
        ), None
    if choice == "keyed":  # the same request, sent by several threads at once
        key, credit, amount = keyed[n % len(keyed)]
        op = partial(
            transfer,
            debit_account_id=shared.clearing,
            credit_account_id=credit,
            amount=amount,
            idempotency_key=key,
        )
        return op, key
    if choice == "hold":
        amount = rng.randint(1, 2_000)
        return partial(hold, debit_account_id=debit, credit_account_id=credit, amount=amount), None
    with shared.lock:
        holds, moved = list(shared.holds), list(shared.moved)
    if choice == "resolve" and holds:  # several threads race to post or void the same hold
        hold_id = rng.choice(holds)
        if rng.random() < 0.5:
            return partial(post, hold_id=hold_id, amount=1), None
        return partial(void, hold_id=hold_id), None
    if choice == "refund" and moved:  # competing partial refunds of one transfer
        return partial(refund, transfer_id=rng.choice(moved).id, amount=rng.randint(1, 500)), None
    return None


def _worker(factory: sessionmaker[Session], shared: Shared, seed: int, keyed: Keyed) -> None:
    rng = random.Random(seed)
    for step in range(30):
        picked = _pick(rng, shared, keyed, seed + step)
        if picked is None:
            continue
        op, key = picked
        try:
            with factory() as session, session.begin():
                done = op(session)
        except (InsufficientFunds, Conflict):
            continue  # refused on purpose: nothing written
        except BaseException as exc:  # deadlocks, integrity errors...: the test fails
            with shared.lock:
                shared.failures.append(exc)
            return
        with shared.lock:
            if key is not None:
                shared.results_by_key[key].add(done.id)
            if done.kind == "hold" and not done.replayed:
                shared.holds.append(done.id)
            if not done.replayed:
                shared.moved.append(done)


def test_concurrent_writers_keep_the_ledger_exact(engine: Engine) -> None:
    threads = 32 if engine.dialect.name == "postgresql" else 8
    factory = make_session_factory(engine)
    with factory() as s, s.begin():
        wallets = [wallet(s, person(s), START).id for _ in range(6)]
        clearing = open_account(s, AccountKind.cash_clearing).id
    shared = Shared(wallets=wallets, clearing=clearing)
    keyed = [(f"gift-{n}", wallets[n % len(wallets)], 10 + n) for n in range(40)]

    workers = [
        threading.Thread(target=_worker, args=(factory, shared, seed, keyed))
        for seed in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert not any(w.is_alive() for w in workers), "a writer is stuck"
    assert not shared.failures, shared.failures[:3]

    with factory() as s:
        assert_sound(s)
        # Every key the threads used posted exactly once, and every thread got that transfer.
        for key, ids in shared.results_by_key.items():
            stored = s.scalars(select(Transfer.id).where(Transfer.idempotency_key == key)).all()
            assert len(ids) == 1 and list(ids) == stored, (key, ids, stored)
        # Nothing lost, nothing doubled: the wallets hold the start money plus what the
        # acknowledged transfers brought in from outside (keyed gifts, once each) minus what
        # refunds of those gifts sent back.
        outside = sum(
            t.amount if t.debit_account_id == clearing else -t.amount
            for t in shared.moved
            if clearing in (t.debit_account_id, t.credit_account_id) and t.kind != "hold"
        )
        total = s.scalar(select(func.sum(Account.balance)).where(Account.id.in_(wallets)))
        assert total == START * len(wallets) + outside
        # Every acknowledged transfer is stored, and the database has no unacknowledged one.
        acknowledged = {t.id for t in shared.moved}
        stored_ids = set(s.scalars(select(Transfer.id)))
        setup = len(wallets)  # the funding transfers
        assert acknowledged <= stored_ids and len(stored_ids) == len(acknowledged) + setup
        # The run exercised every path, not just plain transfers.
        kinds = dict(s.execute(select(Transfer.kind, func.count()).group_by(Transfer.kind)).all())
        assert {"transfer", "hold", "capture", "void", "refund"} <= set(kinds), kinds
        assert len(shared.results_by_key) > 10 and len(acknowledged) > threads * 5
