"""Ledger: transfers per second on SQLite and PostgreSQL, against a plain INSERT baseline.

Usage: `python -m bench ledger`

Each transfer is one durable transaction, as the API does it: open a session, `transfer()`
between two random wallets of 500, commit. The baseline, measured in the same run on the same
database with the same number of writers, is the cheapest durable write there is: one row
INSERTed and committed per transaction (SQLAlchemy Core). The ratio says what the ledger's
locking, checks, two entries and two balance updates cost on top of a commit.

PostgreSQL runs in a throw-away database (dropped at the end) and is skipped, with the
reason, when unreachable. Headline figures use the server's default durability
(`synchronous_commit=on`); one extra line, labelled as such, shows `synchronous_commit=off`.
Goal: >= 2,000 transfers/s on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    create_engine,
    insert,
)
from sqlalchemy.pool import QueuePool

import backend.models  # noqa: F401  (registers every table)
from backend import db
from backend.db import Base, make_engine, make_session_factory
from backend.ledger import fast_path
from backend.ledger.accounts import open_account
from backend.ledger.models import AccountKind
from backend.ledger.service import transfer
from backend.ledger.verify import verify
from backend.people.models import Person
from bench.throwaway import throwaway_postgres

WALLETS = 500
ROUNDS = 3
# Same default as tests/conftest.py, so the bench finds the same local server.

baseline_rows = Table(
    "bench_baseline",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("amount", BigInteger, nullable=False),
)


def _wallets(engine: Engine) -> list[int]:
    """Fresh tables and WALLETS funded wallets (funded generously: no transfer is refused)."""
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    baseline_rows.drop(engine, checkfirst=True)
    baseline_rows.create(engine)
    factory = make_session_factory(engine)
    with factory() as s, s.begin():
        people = [Person(display_name=f"Bench {n}") for n in range(WALLETS)]
        s.add_all(people)
        s.flush()
        clearing = open_account(s, AccountKind.cash_clearing).id
        ids = [open_account(s, AccountKind.person_wallet, p.id).id for p in people]
        for account_id in ids:
            transfer(s, debit_account_id=clearing, credit_account_id=account_id, amount=10**9)
    return ids


def _in_parallel(writers: int, total: int, work: Callable[[int, int], None]) -> float:
    """Run `work(writer, count)` on `writers` threads sharing `total`; operations per second."""
    per_writer = total // writers
    threads = [threading.Thread(target=work, args=(w, per_writer)) for w in range(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return per_writer * writers / (time.perf_counter() - started)


def _transfers(engine: Engine, wallets: list[int], *, keyed: bool = False) -> Callable:  # type: ignore[type-arg]
    factory = make_session_factory(engine)
    run = uuid.uuid4().hex[:8]

    def work(writer: int, count: int) -> None:
        rng = random.Random(writer)
        for n in range(count):
            debit, credit = rng.sample(wallets, 2)
            key = f"bench-{run}-{writer}-{n}" if keyed else None
            with factory() as s, s.begin():
                transfer(
                    s,
                    debit_account_id=debit,
                    credit_account_id=credit,
                    amount=rng.randint(1, 5_000),
                    idempotency_key=key,
                )

    return work


def _inserts(engine: Engine) -> Callable:  # type: ignore[type-arg]
    def work(writer: int, count: int) -> None:
        for n in range(count):
            with engine.begin() as conn:
                conn.execute(insert(baseline_rows).values(amount=n))

    return work


def _line(label: str, writers: int, tps: float, base: float) -> None:
    print(
        f"  {label:<34} {writers:>2} writer{'s' if writers > 1 else ' '}  "
        f"{tps:8,.0f} transfers/s   baseline {base:8,.0f} rows/s   ratio {tps / base:4.2f}",
        flush=True,
    )


def _paired(writers: int, total: int, base: Callable, work: Callable) -> tuple[float, float]:  # type: ignore[type-arg]
    """Median baseline and median work rate over three alternating rounds: other processes
    share this machine, and alternating keeps a burst of theirs from favouring one side."""
    bases, works = [], []
    for _ in range(ROUNDS):
        bases.append(_in_parallel(writers, total // ROUNDS, base))
        works.append(_in_parallel(writers, total // ROUNDS, work))
    return statistics.median(works), statistics.median(bases)


def _suite(name: str, engine: Engine, writers: tuple[int, ...], total: int) -> None:
    wallets = _wallets(engine)
    print(f"{name}:", flush=True)
    _inserts(engine)(0, 200)  # warm up: connections, caches, the WAL after the setup
    _transfers(engine, wallets)(0, 200)
    for n in writers:
        _line("transfer()", n, *_paired(n, total, _inserts(engine), _transfers(engine, wallets)))
    n = writers[-1]
    keyed = _transfers(engine, wallets, keyed=True)
    _line("transfer() with idempotency keys", n, *_paired(n, total, _inserts(engine), keyed))
    if engine.dialect.name == "postgresql":
        # What the one-statement fast path buys: the same work through the careful path.
        applies, fast_path.applies = fast_path.applies, lambda *_: False
        try:
            careful = _paired(n, total // 2, _inserts(engine), _transfers(engine, wallets))
        finally:
            fast_path.applies = applies
        _line("careful path only (5 statements)", n, *careful)
    with make_session_factory(engine)() as s:
        report = verify(s)
    print(f"  verify: {'ledger sound' if report.ok else report.describe()}", flush=True)


@contextmanager
def _pooled(url: str) -> Iterator[Engine]:
    """`make_engine` for SQLite, but keeping connections in a pool instead of NullPool."""
    real = db.create_engine

    def pooled(*args: Any, **kwargs: Any) -> Engine:
        kwargs["poolclass"] = QueuePool
        return real(*args, **kwargs)

    db.create_engine = pooled  # type: ignore[assignment]
    try:
        engine = db.make_engine(url)
    finally:
        db.create_engine = real
    yield engine
    engine.dispose()


def main() -> None:
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other processes share "
        f"them); {WALLETS} wallets; one transaction per transfer or row"
    )
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/app.db")
        _suite("SQLite, the app's engine (NullPool, WAL)", engine, writers=(1, 4), total=2_000)
        engine.dispose()
        # make_engine gives file SQLite a NullPool: each transaction opens a connection, and
        # closing the last one checkpoints the WAL (an fsync). Shown for comparison only.
        with _pooled(f"sqlite:///{tmp}/pooled.db") as engine:
            _suite("SQLite, pooled connections (not the app's engine)", engine, (1, 4), 8_000)
    with throwaway_postgres() as url:
        if url is None:
            return
        engine = make_engine(url, pool_size=32)
        _suite("PostgreSQL (synchronous_commit=on)", engine, writers=(1, 8, 16, 32), total=8_000)
        engine.dispose()
        # Not the headline: commits acknowledged before the WAL reaches the disk.
        relaxed = create_engine(  # as make_engine builds it, plus the setting
            url,
            pool_size=32,
            max_overflow=64,
            pool_pre_ping=True,
            connect_args={"options": "-c synchronous_commit=off"},
        )
        wallets = _wallets(relaxed)
        print("PostgreSQL, synchronous_commit=off (a crash may lose the last ~0.6 s of commits):")
        _line(
            "transfer()", 32, *_paired(32, 8_000, _inserts(relaxed), _transfers(relaxed, wallets))
        )
        relaxed.dispose()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
