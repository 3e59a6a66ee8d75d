from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import (
    MAX_ATTEMPTS,
    PermanentSendError,
    TransientSendError,
    deliver_due,
    enqueue,
)


class RecordingSender:
    """A channel that records what it was asked to send, failing on demand."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures = list(failures or [])
        self.lock = threading.Lock()

    def send(self, message: OutboxMessage) -> str:
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append((message.address, message.payload["text"]))
            return f"provider-{len(self.sent)}"


def _enqueue(factory: sessionmaker[Session], n: int = 1, channel: str = "sms") -> None:
    with factory() as s, s.begin():
        for i in range(n):
            enqueue(
                s,
                channel=channel,
                address=f"+3363998000{i % 10}",
                kind="confirmation",
                payload={"text": f"message {i}"},
            )


def _rows(factory: sessionmaker[Session]) -> list[OutboxMessage]:
    with factory() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_due_messages_are_sent_once_and_marked(session_factory: sessionmaker[Session]) -> None:
    _enqueue(session_factory, 3)
    sender = RecordingSender()
    report = deliver_due(session_factory, {"sms": sender})
    assert report.sent == 3
    assert [text for _, text in sender.sent] == ["message 0", "message 1", "message 2"]
    assert {r.status for r in _rows(session_factory)} == {OutboxStatus.sent}
    assert deliver_due(session_factory, {"sms": sender}).sent == 0
    assert len(sender.sent) == 3


def test_transient_failure_is_retried_later_with_the_providers_delay(
    session_factory: sessionmaker[Session],
) -> None:
    _enqueue(session_factory)
    sender = RecordingSender([TransientSendError("429 Too Many Requests", retry_after=30)])
    assert deliver_due(session_factory, {"sms": sender}).retried == 1
    (row,) = _rows(session_factory)
    assert row.status == OutboxStatus.pending and row.attempts == 1
    assert "429" in row.last_error
    assert timedelta(seconds=25) < row.next_attempt_at - utcnow() <= timedelta(seconds=30)
    # not due yet: nothing happens; once due, it goes out
    assert deliver_due(session_factory, {"sms": sender}).sent == 0
    later = utcnow() + timedelta(seconds=31)
    assert deliver_due(session_factory, {"sms": sender}, now=lambda: later).sent == 1


def test_permanent_failure_stops_and_keeps_the_reason(
    session_factory: sessionmaker[Session],
) -> None:
    _enqueue(session_factory)
    sender = RecordingSender([PermanentSendError("Forbidden: bot was blocked by the user")])
    assert deliver_due(session_factory, {"sms": sender}).failed == 1
    (row,) = _rows(session_factory)
    assert row.status == OutboxStatus.failed and "blocked" in row.last_error


def test_gives_up_after_the_last_attempt(session_factory: sessionmaker[Session]) -> None:
    _enqueue(session_factory)
    sender = RecordingSender([TransientSendError("timeout")] * MAX_ATTEMPTS)
    clock = utcnow()
    for _ in range(MAX_ATTEMPTS):
        clock += timedelta(hours=2)
        deliver_due(session_factory, {"sms": sender}, now=lambda c=clock: c)
    (row,) = _rows(session_factory)
    assert row.status == OutboxStatus.failed and row.attempts == MAX_ATTEMPTS
    assert sender.sent == []


def test_a_channel_that_is_off_keeps_its_messages(session_factory: sessionmaker[Session]) -> None:
    _enqueue(session_factory, 1, channel="telegram")
    _enqueue(session_factory, 1, channel="sms")
    report = deliver_due(session_factory, {"sms": RecordingSender()})
    assert report.sent == 1
    telegram = [r for r in _rows(session_factory) if r.channel == "telegram"][0]
    assert telegram.status == OutboxStatus.pending and telegram.attempts == 0
    assert telegram.locked_by is None  # never claimed, not even for a moment


def test_dedupe_key_enqueues_once(session_factory: sessionmaker[Session]) -> None:
    for _ in range(2):
        with session_factory() as s, s.begin():
            enqueue(
                s,
                channel="sms",
                address="+33639980001",
                kind="offer",
                payload={"text": "x"},
                dedupe_key="offer:1",
            )
    assert len(_rows(session_factory)) == 1


def test_a_crashed_workers_lease_runs_out_and_the_message_is_sent(
    session_factory: sessionmaker[Session],
) -> None:
    _enqueue(session_factory)
    with session_factory() as s, s.begin():
        row = s.scalars(select(OutboxMessage)).one()
        row.status, row.locked_until = OutboxStatus.sending, utcnow() - timedelta(seconds=1)
    assert deliver_due(session_factory, {"sms": RecordingSender()}).sent == 1


def test_two_workers_never_send_the_same_message(session_factory: sessionmaker[Session]) -> None:
    _enqueue(session_factory, 60)
    sender = RecordingSender()
    barrier = threading.Barrier(2)

    def work() -> None:
        barrier.wait()
        while deliver_due(session_factory, {"sms": sender}, batch=5).sent:
            pass

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    texts = [text for _, text in sender.sent]
    assert sorted(texts) == sorted(f"message {i}" for i in range(60))
