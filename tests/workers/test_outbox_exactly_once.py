"""Exactly one delivery per outbox row, whatever the number of workers, a slow provider, a
worker killed mid-send or a channel that is off (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import MAX_ATTEMPTS, deliver_due, enqueue, new_worker_id
from backend.workers import PollingWorker
from coupdemain.workers import build_workers


class SlowSender:
    """A provider that takes `low`..`high` seconds a send and counts what it received."""

    def __init__(self, low: float = 0.5, high: float = 1.0) -> None:
        self.received: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._random = random.Random(7)
        self._low, self._high = low, high

    def send(self, message: OutboxMessage) -> str:
        with self._lock:
            pause = self._random.uniform(self._low, self._high)
        time.sleep(pause)
        with self._lock:
            self.received[message.id] += 1
            return f"SM{message.id:06d}-{self.received[message.id]}"


class DiesMidSend:
    """The worker's process is killed while the provider has the message (SystemExit)."""

    def __init__(self) -> None:
        self.calls = 0

    def send(self, message: OutboxMessage) -> str:
        self.calls += 1
        raise SystemExit("killed mid-send")


class Recorder:
    def __init__(self) -> None:
        self.received: list[int] = []

    def send(self, message: OutboxMessage) -> str:
        self.received.append(message.id)
        return f"SM{message.id}"


def _enqueue(factory: sessionmaker[Session], n: int, channel: str = "sms") -> list[int]:
    with factory() as s, s.begin():
        rows = [
            enqueue(
                s,
                channel=channel,
                address=f"+336399800{i:02d}",
                kind="confirmation",
                payload={"text": f"message {i}"},
            )
            for i in range(n)
        ]
        return [r.id for r in rows if r is not None]


def _rows(factory: sessionmaker[Session]) -> list[OutboxMessage]:
    with factory() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _unsent(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        query = select(func.count()).where(OutboxMessage.status != OutboxStatus.sent)
        return int(s.scalar(query) or 0)


def test_three_workers_and_a_slow_provider_deliver_each_message_exactly_once(
    session_factory: sessionmaker[Session],
) -> None:
    ids = _enqueue(session_factory, 40)
    sender = SlowSender()
    # A lease far shorter than one send: a batch leased at once would have run out for
    # every row still waiting, and the other workers would have sent those again.
    lease = timedelta(seconds=0.45)
    workers = [new_worker_id() for _ in range(3)]
    barrier = threading.Barrier(3)

    def work(worker: str) -> None:
        # Like a worker loop: poll (pausing when idle) until every message has gone out.
        barrier.wait()
        while _unsent(session_factory):
            report = deliver_due(session_factory, {"sms": sender}, lease=lease, worker=worker)
            if not sum(vars(report).values()):
                time.sleep(0.05)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sender.received == Counter({i: 1 for i in ids})
    rows = _rows(session_factory)
    assert {r.status for r in rows} == {OutboxStatus.sent}
    assert all(r.provider_id == f"SM{r.id:06d}-1" and r.attempts == 1 for r in rows)
    assert {r.locked_by for r in rows} <= set(workers)
    assert len({r.locked_by for r in rows}) > 1  # the work was shared


def test_a_worker_killed_mid_send_leaves_the_row_sending_until_its_lease_runs_out(
    session_factory: sessionmaker[Session],
) -> None:
    (message_id,) = _enqueue(session_factory, 1)
    lease = timedelta(minutes=5)
    with pytest.raises(SystemExit):
        deliver_due(session_factory, {"sms": DiesMidSend()}, lease=lease, worker="outbox:dead")
    (row,) = _rows(session_factory)
    assert (row.status, row.locked_by, row.attempts) == (OutboxStatus.sending, "outbox:dead", 1)

    # Another worker, while the lease runs: the provider may have the message, hands off.
    survivor = Recorder()
    assert deliver_due(session_factory, {"sms": survivor}, lease=lease).sent == 0
    assert survivor.received == []

    # Once it has run out: retried, once.
    after = utcnow() + lease + timedelta(seconds=1)
    assert deliver_due(session_factory, {"sms": survivor}, now=lambda: after).sent == 1
    assert deliver_due(session_factory, {"sms": survivor}, now=lambda: after).sent == 0
    assert survivor.received == [message_id]
    (row,) = _rows(session_factory)
    assert (row.status, row.provider_id, row.attempts) == (OutboxStatus.sent, f"SM{message_id}", 2)


def test_a_row_whose_worker_vanished_on_its_last_attempt_fails_instead_of_looping(
    session_factory: sessionmaker[Session],
) -> None:
    _enqueue(session_factory, 1)
    with session_factory() as s, s.begin():
        row = s.scalars(select(OutboxMessage)).one()
        row.status, row.locked_by, row.attempts = OutboxStatus.sending, "outbox:gone", MAX_ATTEMPTS
        row.locked_until = utcnow() - timedelta(seconds=1)
    sender = Recorder()
    assert deliver_due(session_factory, {"sms": sender}).failed == 1
    (row,) = _rows(session_factory)
    assert row.status == OutboxStatus.failed and "stopped" in row.last_error
    assert sender.received == []


def test_a_worker_whose_lease_was_taken_over_does_not_mark_the_row(
    session_factory: sessionmaker[Session],
) -> None:
    _enqueue(session_factory, 1)

    class TakenOverMidSend:
        def send(self, message: OutboxMessage) -> str:
            # Meanwhile another worker claimed the row (our lease had run out).
            with session_factory() as s, s.begin():
                s.get_one(OutboxMessage, message.id).locked_by = "outbox:other"
            return "SM-late"

    report = deliver_due(session_factory, {"sms": TakenOverMidSend()}, worker="outbox:slow")
    assert (report.sent, report.lost) == (0, 1)
    (row,) = _rows(session_factory)
    assert (row.status, row.locked_by, row.provider_id) == (
        OutboxStatus.sending,
        "outbox:other",
        None,
    )


@pytest.fixture
def outbox_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements that touch the outbox table while the test runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "outbox" in statement:
            seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_an_off_channel_costs_one_read_and_the_tick_reports_idle(
    session_factory: sessionmaker[Session], outbox_statements: list[str]
) -> None:
    _enqueue(session_factory, 5, channel="telegram")  # Telegram is off in this worker
    workers = build_workers(session_factory, {"sms": Recorder()}, {}, jobs=False)
    (loop,) = workers.loops
    assert isinstance(loop, PollingWorker)
    outbox_statements.clear()
    assert loop.tick() == 0  # idle: the loop sleeps before the next tick
    assert loop.tick() == 0
    assert len(outbox_statements) == 2  # one SELECT a tick, and no write
    assert all(s.startswith("SELECT") and "channel IN" in s for s in outbox_statements)
    rows = _rows(session_factory)
    assert {(r.status, r.attempts, r.locked_by) for r in rows} == {(OutboxStatus.pending, 0, None)}
