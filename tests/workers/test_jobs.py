from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.jobs.models import Job, JobStatus
from backend.jobs.service import cancel_jobs, run_due, schedule


def _job(factory: sessionmaker[Session]) -> Job:
    with factory() as s:
        return s.scalars(select(Job)).one()


def test_a_job_runs_when_due_not_before(session_factory: sessionmaker[Session]) -> None:
    seen: list[dict[str, Any]] = []
    with session_factory() as s, s.begin():
        schedule(s, "remind", {"request_id": 7}, run_at=utcnow() + timedelta(minutes=10))
    handlers = {"remind": lambda _s, payload, _now: seen.append(payload)}
    assert run_due(session_factory, handlers) == 0
    later = utcnow() + timedelta(minutes=11)
    assert run_due(session_factory, handlers, now=lambda: later) == 1
    assert seen == [{"request_id": 7}]
    assert _job(session_factory).status == JobStatus.done


def test_handler_writes_commit_with_the_job(session_factory: sessionmaker[Session]) -> None:
    def handler(session: Session, payload: dict[str, Any], now: datetime) -> None:
        schedule(session, "follow_up", {"from": payload["n"]}, run_at=now + timedelta(days=1))

    with session_factory() as s, s.begin():
        schedule(s, "chain", {"n": 1}, run_at=utcnow())
    run_due(session_factory, {"chain": handler})
    with session_factory() as s:
        kinds = sorted(j.kind for j in s.scalars(select(Job)))
    assert kinds == ["chain", "follow_up"]


def test_a_failing_job_is_retried_then_given_up_and_rolls_back_its_writes(
    session_factory: sessionmaker[Session],
) -> None:
    def broken(session: Session, payload: dict[str, Any], now: datetime) -> None:
        schedule(session, "should_not_exist", {}, run_at=now)
        raise RuntimeError("helper service down")

    with session_factory() as s, s.begin():
        schedule(s, "broken", {}, run_at=utcnow(), max_attempts=3)
    clock = utcnow()
    for _ in range(3):
        clock += timedelta(hours=1)
        run_due(session_factory, {"broken": broken}, now=lambda c=clock: c)
    job = _job(session_factory)
    assert job.status == JobStatus.failed and job.attempts == 3
    assert "helper service down" in job.last_error


def test_unknown_kind_is_recorded_not_lost(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s, s.begin():
        schedule(s, "mystery", {}, run_at=utcnow())
    run_due(session_factory, {})
    job = _job(session_factory)
    assert job.status == JobStatus.pending and "no handler" in job.last_error


def test_cancelled_jobs_do_not_run(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s, s.begin():
        schedule(s, "offer_expiry", {"request_id": 1}, run_at=utcnow())
        schedule(s, "offer_expiry", {"request_id": 2}, run_at=utcnow())
        assert cancel_jobs(s, "offer_expiry", request_id=1) == 1
    ran: list[int] = []
    run_due(session_factory, {"offer_expiry": lambda _s, p, _n: ran.append(p["request_id"])})
    assert ran == [2]
