"""Recurring jobs book their own next run; the first run is booked when a jobs loop starts."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import make_session_factory, utcnow
from backend.dispatch.service import DispatchPolicy
from backend.jobs.models import Job, JobStatus
from backend.jobs.service import run_due
from backend.listings.service import EXPIRY_SWEEP_JOB
from backend.privacy.retention import PURGE_JOB, schedule_purge
from coupdemain.workers import book_recurring_jobs, job_handlers


def _jobs(factory: sessionmaker[Session]) -> list[Job]:
    with factory() as s:
        return list(s.scalars(select(Job).order_by(Job.id)))


def test_starting_jobs_loops_books_the_listing_sweep_and_the_purge_once(
    session_factory: sessionmaker[Session],
) -> None:
    book_recurring_jobs(session_factory)
    book_recurring_jobs(session_factory)  # a second worker process, or a restart

    assert sorted(j.kind for j in _jobs(session_factory)) == sorted([EXPIRY_SWEEP_JOB, PURGE_JOB])


def test_the_listing_sweep_runs_then_books_the_next_hour(
    session_factory: sessionmaker[Session],
) -> None:
    book_recurring_jobs(session_factory)
    soon = utcnow() + timedelta(minutes=1)

    run_due(session_factory, job_handlers(DispatchPolicy()), now=lambda: soon)

    sweeps = [j for j in _jobs(session_factory) if j.kind == EXPIRY_SWEEP_JOB]
    assert [j.status for j in sweeps] == [JobStatus.done, JobStatus.pending]
    assert sweeps[1].run_at.replace(tzinfo=None) >= (soon + timedelta(minutes=59)).replace(
        tzinfo=None
    )


def test_two_workers_starting_together_both_start_and_book_each_job_once(
    pg_engine: Engine,
) -> None:
    """One worker has inserted today's purge and not committed yet when the other books: the
    other's insert waits on the unique dedupe key, fails when the first commits, and its
    second look finds the job booked (it used to exit with a UniqueViolation)."""
    factory = make_session_factory(pg_engine)
    first = factory()
    first.begin()
    schedule_purge(first, utcnow())
    first.flush()
    errors: list[BaseException] = []

    def second_worker() -> None:
        try:
            book_recurring_jobs(factory)
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)

    other = threading.Thread(target=second_worker)
    other.start()
    other.join(timeout=1)  # it is waiting on the first worker's uncommitted row
    first.commit()
    first.close()
    other.join(timeout=30)

    assert not other.is_alive() and errors == []
    assert sorted(j.kind for j in _jobs(factory)) == sorted([EXPIRY_SWEEP_JOB, PURGE_JOB])
