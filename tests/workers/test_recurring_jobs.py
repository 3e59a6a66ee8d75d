"""Recurring jobs book their own next run; the first run is booked when a jobs loop starts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.dispatch.service import DispatchPolicy
from backend.jobs.models import Job, JobStatus
from backend.jobs.service import run_due
from backend.listings.service import EXPIRY_SWEEP_JOB
from backend.privacy.retention import PURGE_JOB
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
