"""Timers as rows: schedule in the caller's transaction, run when due, retry on failure.

Each job is claimed on its own right before it runs (backend/leasing.py), then its handler
runs in one transaction that starts with a compare-and-set on the job row (`UPDATE jobs SET
status = 'done' WHERE id = ? AND locked_by = ?`): the handler's writes and the job's `done`
commit together, and a worker whose lease was taken over runs nothing. That UPDATE holds the
row until the commit (PostgreSQL; SQLite's writer lock does the same), so a long handler is
not claimed again by another worker meanwhile. A worker that dies mid-handler commits
nothing: the job is due again once its lease runs out, its attempt counted at the claim.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.jobs.models import Job, JobStatus
from backend.leasing import backoff, claim_one, held

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
    stop: Callable[[], bool] | None = None,
) -> int:
    """Run up to `batch` due jobs, one claim each; how many were claimed.

    `stop` is asked between jobs (a worker shutting down finishes the job in hand).
    """
    worker = worker or f"jobs:{uuid.uuid4().hex[:12]}"
    claimed = 0
    for _ in range(batch):
        if stop is not None and stop():
            break
        with factory() as session, session.begin():
            job_id = claim_one(
                session,
                Job,
                due_column=Job.run_at,
                busy_status=JobStatus.running,
                now=now(),
                lease=lease,
                worker=worker,
            )
            if job_id is None:
                break
            job = session.get_one(Job, job_id, populate_existing=True)
            exhausted = job.attempts > job.max_attempts
            if exhausted:  # its last run's worker vanished mid-way (the lease ran out)
                job.status, job.finished_at, job.locked_until = JobStatus.failed, now(), None
                job.last_error = "the worker running it stopped before it finished"
        claimed += 1
        if not exhausted:
            _run_one(factory, handlers, job_id, worker, now)
    return claimed


def _run_one(
    factory: sessionmaker[Session],
    handlers: Mapping[str, JobHandler],
    job_id: int,
    worker: str,
    now: Callable[[], datetime],
) -> None:
    error: str | None = None
    try:
        with factory() as session, session.begin():
            finished = now()
            ours = session.execute(
                update(Job)
                .where(held(Job, job_id, worker, JobStatus.running))
                .values(status=JobStatus.done, finished_at=finished, locked_until=None)
            )
            if not ours.rowcount:  # type: ignore[attr-defined]
                log.warning("job %s: lease taken over by another worker; not run here", job_id)
                return
            job = session.get_one(Job, job_id, populate_existing=True)
            handler = handlers.get(job.kind)
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(session, dict(job.payload), finished)
    except Exception as exc:  # recorded on the row, retried with backoff
        log.exception("job %s failed", job_id)
        error = repr(exc)
    if error is None:
        return
    with factory() as session, session.begin():
        failed = session.scalar(select(Job).where(held(Job, job_id, worker, JobStatus.running)))
        if failed is None:  # another worker took it over meanwhile
            return
        failed.last_error, failed.locked_until = error[:2000], None
        if failed.attempts >= failed.max_attempts:
            failed.status, failed.finished_at = JobStatus.failed, now()
        else:
            failed.status, failed.run_at = JobStatus.pending, now() + backoff(failed.attempts)
