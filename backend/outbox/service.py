"""Writing to the outbox (inside the caller's transaction) and delivering from it.

Delivery is exactly-once as far as our side can make it, whatever the number of workers:

- a worker claims ONE row right before sending it (backend/leasing.py: `locked_by` = its
  id, a lease well beyond a send's timeout) and renews the lease while the send lasts, so a
  slow provider never lets a second worker take a row that is being sent;
- it only claims rows of the channels it has senders for (`channel IN (...)`): the rows of
  a channel that is off stay pending and cost nothing, not even a read;
- it marks the row with a compare-and-set (`UPDATE ... WHERE id = ? AND locked_by = ?`),
  recording the provider's message id, in one short transaction right after the provider's
  answer;
- a worker killed mid-send leaves its row in `sending`; only once the lease has run out is
  it due again, and then it is sent again (its attempt was counted at the claim).

At-least-once remains between the provider's 200 and our commit: a worker that dies in
that window (milliseconds: one UPDATE) has delivered a message that its successor sends
again. Only a provider-side idempotency key closes it; `idempotency_key` gives a stable one
per row for senders whose provider accepts one. Neither the Telegram Bot API (sendMessage)
nor Twilio's Messages and Calls resources take one today, so for them the window stays.

Why our own tables rather than procrastinate (a PostgreSQL task queue with LISTEN/NOTIFY,
heartbeats and stalled-job retry): the embedded default is SQLite, which procrastinate does
not support, and an outbox row must be written in the same transaction as the state change
that causes it (an offer and its message commit together or not at all); procrastinate
defers through its own connector and tables on PostgreSQL only. The parts of it we need
(per-row claim with SKIP LOCKED, a heartbeat, retry of stalled rows) fit in backend/leasing.py.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.leasing import backoff, claim_one, held, renew
from backend.outbox.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Comfortably longer than the longest send (Telegram sender: 60 s, Twilio client: 15 s), and
# renewed every third of it while the send lasts.
DEFAULT_LEASE = timedelta(minutes=5)


class TransientSendError(Exception):
    """Try again later (network, rate limit: `retry_after` seconds if the provider said)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """Retrying cannot help (blocked bot, invalid number): a dispatcher must look."""


class NoLongerCurrent(Exception):
    """Sending would say something no longer true (an offer taken or withdrawn meanwhile, a
    request cancelled): the row is dropped with this reason, never sent."""


class Sender(Protocol):
    """Delivers one message on one channel; returns the provider's message id."""

    def send(self, message: OutboxMessage) -> str: ...


def enqueue(
    session: Session,
    *,
    channel: str,
    address: str,
    kind: str,
    payload: dict[str, Any],
    person_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Add a message in the caller's transaction. A dedupe key already present is a no-op."""
    if dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    message = OutboxMessage(
        channel=channel,
        address=address,
        kind=kind,
        payload=payload,
        person_id=person_id,
        dedupe_key=dedupe_key,
        next_attempt_at=not_before or utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def send_again(message: OutboxMessage, *, at: datetime, reason: str) -> None:
    """In the caller's transaction: a message the provider took but that did not reach its
    person (an answering machine took the call) is due again at `at`. Its provider id stays
    until the next attempt replaces it; a worker still holding the row loses its lease."""
    message.status, message.next_attempt_at, message.sent_at = OutboxStatus.pending, at, None
    message.locked_until, message.locked_by = None, None
    message.last_error = reason[:2000]


def give_up(message: OutboxMessage, reason: str) -> None:
    """In the caller's transaction: the message will not reach its person; failed, for a
    dispatcher to see."""
    message.status, message.locked_until, message.locked_by = OutboxStatus.failed, None, None
    message.last_error = reason[:2000]
    log.warning("outbox message %s to %s failed for good: %s", message.id, message.channel, reason)


def drop(message: OutboxMessage, reason: str) -> None:
    """In the caller's transaction: what the message says is no longer true; not sent."""
    message.status, message.locked_until, message.locked_by = OutboxStatus.dropped, None, None
    message.last_error = reason[:2000]


def idempotency_key(message: OutboxMessage) -> str:
    """The same key for every attempt at one row, for providers that deduplicate on one."""
    return f"coupdemain-outbox-{message.id}"


def new_worker_id(role: str = "outbox") -> str:
    """Unique per worker loop: the compare-and-set tells workers apart by it."""
    return f"{role}:{uuid.uuid4().hex[:12]}"


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0  # our lease was taken over meanwhile: the row is another worker's now
    dropped: int = 0  # no longer true when due (NoLongerCurrent): not sent


def deliver_due(
    factory: sessionmaker[Session],
    senders: Mapping[str, Sender],
    *,
    now: Callable[[], datetime] = utcnow,
    batch: int = 50,
    lease: timedelta = DEFAULT_LEASE,
    worker: str = "",
    stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send up to `batch` due messages, claiming each one right before sending it.

    Sends happen outside any transaction (a slow provider must not hold locks). `stop` is
    asked between messages: a worker shutting down finishes the message in hand, then returns.
    Nothing is due (or no channel is on): one SELECT, and an empty report.
    """
    report = DeliveryReport()
    channels = sorted(senders)
    if not channels:
        return report
    worker = worker or new_worker_id()
    for _ in range(batch):
        if stop is not None and stop():
            break
        message = _claim(factory, channels, worker=worker, now=now(), lease=lease, report=report)
        if message is None:
            break
        if message.status != OutboxStatus.sending:
            continue  # out of attempts: marked failed at the claim
        _deliver_one(factory, senders[message.channel], message, worker, now, lease, report)
    return report


def _claim(
    factory: sessionmaker[Session],
    channels: Sequence[str],
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    report: DeliveryReport,
) -> OutboxMessage | None:
    with factory() as session, session.begin():
        message_id = claim_one(
            session,
            OutboxMessage,
            due_column=OutboxMessage.next_attempt_at,
            busy_status=OutboxStatus.sending,
            now=now,
            lease=lease,
            worker=worker,
            where=[OutboxMessage.channel.in_(channels)],
        )
        if message_id is None:
            return None
        message = session.get_one(OutboxMessage, message_id, populate_existing=True)
        if message.attempts > MAX_ATTEMPTS:
            # Its last attempt's worker vanished mid-send (the lease ran out): give up.
            message.status, message.locked_until = OutboxStatus.failed, None
            message.last_error = "the worker sending it stopped before it could say (lease ran out)"
            log.warning("outbox message %s failed for good: %s", message.id, message.last_error)
            report.failed += 1
        return message


def _deliver_one(
    factory: sessionmaker[Session],
    sender: Sender,
    message: OutboxMessage,
    worker: str,
    now: Callable[[], datetime],
    lease: timedelta,
    report: DeliveryReport,
) -> None:
    with _LeaseKeeper(factory, message.id, worker, now, lease):
        try:
            provider_id = sender.send(message)
        except TransientSendError as exc:
            kept = _mark_error(factory, message.id, worker, str(exc), exc.retry_after, now=now())
            report.retried += kept
        except PermanentSendError as exc:
            kept = _mark_error(factory, message.id, worker, str(exc), permanent=True, now=now())
            report.failed += kept
        except NoLongerCurrent as exc:
            kept = _mark_dropped(factory, message.id, worker, str(exc))
            report.dropped += kept
        except Exception as exc:  # a bug in a sender must not stop the others
            log.exception("outbox message %s: unexpected error", message.id)
            kept = _mark_error(factory, message.id, worker, repr(exc), now=now())
            report.retried += kept
        else:
            kept = _mark_sent(factory, message.id, worker, provider_id, now=now())
            report.sent += kept
            if not kept:
                log.warning(
                    "outbox message %s was delivered (provider id %s) after another worker "
                    "took its lease over: it may arrive twice",
                    message.id,
                    provider_id,
                )
        report.lost += not kept


class _LeaseKeeper:
    """Renews a row's lease every third of it while the send lasts (a slow provider)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        message_id: int,
        worker: str,
        now: Callable[[], datetime],
        lease: timedelta,
    ) -> None:
        self._factory, self._id, self._worker = factory, message_id, worker
        self._now, self._lease = now, lease
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{message_id}", daemon=True)

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        interval = self._lease.total_seconds() / 3
        while not self._done.wait(interval):
            try:
                with self._factory() as session, session.begin():
                    ours = renew(
                        session,
                        OutboxMessage,
                        self._id,
                        worker=self._worker,
                        busy_status=OutboxStatus.sending,
                        until=self._now() + self._lease,
                    )
            except Exception:  # the next renewal may succeed; the lease is long
                log.exception("outbox message %s: lease renewal failed", self._id)
                continue
            if not ours:
                log.warning("outbox message %s: lease lost while sending", self._id)
                return


def _mark_sent(
    factory: sessionmaker[Session], message_id: int, worker: str, provider_id: str, *, now: datetime
) -> bool:
    """Compare-and-set: sent only if this worker still holds the row. One UPDATE."""
    with factory() as session, session.begin():
        result = session.execute(
            update(OutboxMessage)
            .where(held(OutboxMessage, message_id, worker, OutboxStatus.sending))
            .values(
                status=OutboxStatus.sent, sent_at=now, provider_id=provider_id, locked_until=None
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _mark_dropped(
    factory: sessionmaker[Session], message_id: int, worker: str, reason: str
) -> bool:
    """Compare-and-set, as _mark_sent: dropped only if this worker still holds the row."""
    with factory() as session, session.begin():
        result = session.execute(
            update(OutboxMessage)
            .where(held(OutboxMessage, message_id, worker, OutboxStatus.sending))
            .values(status=OutboxStatus.dropped, last_error=reason[:2000], locked_until=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _mark_error(
    factory: sessionmaker[Session],
    message_id: int,
    worker: str,
    error: str,
    retry_after: float | None = None,
    *,
    now: datetime,
    permanent: bool = False,
) -> bool:
    """Retry later or give up, if this worker still holds the row."""
    with factory() as session, session.begin():
        stmt = select(OutboxMessage).where(
            held(OutboxMessage, message_id, worker, OutboxStatus.sending)
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = session.scalar(stmt)
        if row is None:
            return False
        row.locked_until = None
        row.last_error = error[:2000]
        if permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.failed
            log.warning("outbox message %s to %s failed for good: %s", row.id, row.channel, error)
            return True
        delay = timedelta(seconds=retry_after) if retry_after else backoff(row.attempts)
        row.status, row.next_attempt_at = OutboxStatus.pending, now + delay
        return True
