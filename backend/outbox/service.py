"""Writing to the outbox (inside the caller's transaction) and delivering from it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.leasing import backoff, lease_due
from backend.outbox.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class TransientSendError(Exception):
    """Try again later (network, rate limit: `retry_after` seconds if the provider said)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """Retrying cannot help (blocked bot, invalid number): a dispatcher must look."""


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


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


def deliver_due(
    factory: sessionmaker[Session],
    senders: Mapping[str, Sender],
    *,
    now: Callable[[], datetime] = utcnow,
    batch: int = 50,
    lease: timedelta = timedelta(minutes=2),
    worker: str = "",
) -> DeliveryReport:
    """Send one batch of due messages. Each message is leased in its own short transaction,
    sent outside any transaction (a slow provider must not hold locks), then marked."""
    report = DeliveryReport()
    channels = list(senders)
    if not channels:
        return report
    with factory() as session, session.begin():
        ids = lease_due(
            session,
            OutboxMessage,
            due_column=OutboxMessage.next_attempt_at,
            busy_status=OutboxStatus.sending,
            now=now(),
            limit=batch,
            lease=lease,
        )
        rows = {
            m.id: m for m in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        }
        # A channel that is off keeps its messages pending until it is configured.
        for row in rows.values():
            if row.channel not in senders:
                row.status = OutboxStatus.pending
                row.locked_until = None
                report.skipped += 1
    for message in rows.values():
        sender = senders.get(message.channel)
        if sender is None:
            continue
        try:
            provider_id = sender.send(message)
        except TransientSendError as exc:
            _mark(factory, message.id, error=str(exc), retry_after=exc.retry_after, now=now())
            report.retried += 1
        except PermanentSendError as exc:
            _mark(factory, message.id, error=str(exc), permanent=True, now=now())
            report.failed += 1
        except Exception as exc:  # a bug in a sender must not stop the others
            log.exception("outbox message %s: unexpected error", message.id)
            _mark(factory, message.id, error=repr(exc), now=now())
            report.retried += 1
        else:
            _mark(factory, message.id, provider_id=provider_id, now=now())
            report.sent += 1
    return report


def _mark(
    factory: sessionmaker[Session],
    message_id: int,
    *,
    now: datetime,
    provider_id: str | None = None,
    error: str | None = None,
    retry_after: float | None = None,
    permanent: bool = False,
) -> None:
    with factory() as session, session.begin():
        row = session.get(OutboxMessage, message_id)
        if row is None:
            return
        row.attempts += 1
        row.locked_until = None
        if error is None:
            row.status, row.sent_at, row.provider_id = OutboxStatus.sent, now, provider_id
            return
        row.last_error = error[:2000]
        if permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.failed
            log.warning("outbox message %s to %s failed for good: %s", row.id, row.channel, error)
            return
        delay = timedelta(seconds=retry_after) if retry_after else backoff(row.attempts)
        row.status, row.next_attempt_at = OutboxStatus.pending, now + delay
