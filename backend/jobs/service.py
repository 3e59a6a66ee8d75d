"""Timers as rows: schedule in the caller's transaction, run when due, retry on failure."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.jobs.models import Job, JobStatus
from backend.leasing import backoff, lease_due

log = logging.getLogger(__name__)

JobHandler = Callable[[Session, dict[str, Any], datetime], None]


def schedule(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    run_at: datetime,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
) -> Job:
    if dedupe_key is not None:
        existing = session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    job = Job(
        kind=kind, payload=payload, run_at=run_at, dedupe_key=dedupe_key, max_attempts=max_attempts
    )
    session.add(job)
    session.flush()
    return job


def cancel_jobs(session: Session, kind: str, **payload_match: Any) -> int:
    """Cancel pending jobs of a kind whose payload contains the given items."""
    jobs = session.scalars(select(Job).where(Job.kind == kind, Job.status == JobStatus.pending))
    cancelled = 0
    for job in jobs:
        if all(job.payload.get(k) == v for k, v in payload_match.items()):
            job.status = JobStatus.cancelled
            cancelled += 1
    return cancelled


def run_due(
    factory: sessionmaker[Session],
    handlers: Mapping[str, JobHandler],
    *,
    now: Callable[[], datetime] = utcnow,
    batch: int = 20,
    lease: timedelta = timedelta(minutes=5),
    worker: str = "",
) -> int:
    """Run one batch of due jobs; each handler runs in its own transaction with its job row."""
    with factory() as session, session.begin():
        ids = lease_due(
            session,
            Job,
            due_column=Job.run_at,
            busy_status=JobStatus.running,
            now=now(),
            limit=batch,
            lease=lease,
            worker=worker,
        )
    for job_id in ids:
        _run_one(factory, handlers, job_id, now)
    return len(ids)


def _run_one(
    factory: sessionmaker[Session],
    handlers: Mapping[str, JobHandler],
    job_id: int,
    now: Callable[[], datetime],
) -> None:
    error: str | None = None
    try:
        with factory() as session, session.begin():
            job = session.get(Job, job_id)
            if job is None or job.status != JobStatus.running:
                return
            handler = handlers.get(job.kind)
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(session, dict(job.payload), now())
            job.status, job.finished_at, job.locked_until = JobStatus.done, now(), None
            job.attempts += 1
    except Exception as exc:  # recorded on the row, retried with backoff
        log.exception("job %s failed", job_id)
        error = repr(exc)
    if error is None:
        return
    with factory() as session, session.begin():
        job = session.get(Job, job_id)
        if job is None:
            return
        job.attempts += 1
        job.last_error, job.locked_until = error[:2000], None
        if job.attempts >= job.max_attempts:
            job.status, job.finished_at = JobStatus.failed, now()
        else:
            job.status, job.run_at = JobStatus.pending, now() + backoff(job.attempts)
