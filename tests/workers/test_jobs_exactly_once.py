"""Each job runs once whatever the number of workers, a slow handler or a worker that
vanished mid-job (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import utcnow
from backend.jobs.models import Job, JobStatus
from backend.jobs.service import run_due, schedule


def _open_jobs(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).where(Job.status != JobStatus.done)) or 0)


def test_three_workers_and_a_slow_handler_run_each_job_once(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s, s.begin():
        ids = [schedule(s, "expire_offer", {"n": i}, run_at=utcnow()).id for i in range(15)]
    ran: Counter[int] = Counter()
    lock = threading.Lock()

    def slow(session: Session, payload: dict[str, Any], now: datetime) -> None:
        time.sleep(0.2)  # longer than the lease below: a batch lease would have run out
        with lock:
            ran[payload["n"]] += 1

    barrier = threading.Barrier(3)

    def work(n: int) -> None:
        barrier.wait()
        while _open_jobs(session_factory):
            claimed = run_due(
                session_factory,
                {"expire_offer": slow},
                lease=timedelta(seconds=0.1),
                worker=f"jobs:{n}",
            )
            if not claimed:
                time.sleep(0.05)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ran == Counter({i: 1 for i in range(15)})
    with session_factory() as s:
        jobs = list(s.scalars(select(Job).where(Job.id.in_(ids))))
    # (a claim whose lease ran out before its handler started counts an attempt, runs nothing)
    assert {j.status for j in jobs} == {JobStatus.done}


def test_a_job_whose_worker_vanished_runs_once_after_its_lease(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s, s.begin():
        job = schedule(s, "remind", {"request_id": 3}, run_at=utcnow())
        job.status, job.locked_by, job.attempts = JobStatus.running, "jobs:gone", 1
        job.locked_until = utcnow() + timedelta(minutes=5)
    seen: list[dict[str, Any]] = []
    handlers = {"remind": lambda _s, payload, _now: seen.append(payload)}
    assert run_due(session_factory, handlers) == 0  # the lease still runs
    after = utcnow() + timedelta(minutes=6)
    assert run_due(session_factory, handlers, now=lambda: after) == 1
    assert run_due(session_factory, handlers, now=lambda: after) == 0
    assert seen == [{"request_id": 3}]
    with session_factory() as s:
        job = s.scalars(select(Job)).one()
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.done, 2, job.locked_by)
    assert job.locked_by != "jobs:gone"
