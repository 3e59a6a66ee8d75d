"""Matching: the top 10 helpers among 100,000, on SQLite and (if reachable) PostgreSQL.

Usage: `python -m bench matching`

100,000 helpers are spread over a 30 km square around Lyon with services, weekly
availability, past jobs with ratings and last week's offers, bulk-inserted with Core. Then
~200 random requests (half "as soon as possible", half with a window) are ranked with
`rank_helpers`; median and p95 are printed next to a naive baseline measured in the same run:
loading every helper who offers the service and computing haversine for each in Python.
Goal: median <= 20 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

import backend.models  # noqa: F401  (registers every table)
from backend.db import Base, make_engine
from backend.dispatch.models import Offer
from backend.geo import haversine_km
from backend.matching.queries import reachable_helpers
from backend.matching.service import rank_helpers
from backend.people.models import (
    SERVICES,
    AvailabilitySlot,
    HelperProfile,
    HelperService,
    Person,
)
from backend.requests.models import HelpRequest
from backend.trust.models import Rating
from bench.throwaway import throwaway_postgres

HELPERS = 100_000
RESIDENTS = 5_000
PAST_JOBS = 40_000
RECENT_OFFERS = 20_000
QUERIES = 200
CENTRE = (45.7640, 4.8357)  # Lyon, place de la République
HALF_SIDE_DEG = (15 / 111.2, 15 / (111.2 * 0.6976))  # 15 km in latitude and longitude
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)  # a Friday morning


def _point(rng: random.Random) -> tuple[float, float]:
    return (
        CENTRE[0] + rng.uniform(-HALF_SIDE_DEG[0], HALF_SIDE_DEG[0]),
        CENTRE[1] + rng.uniform(-HALF_SIDE_DEG[1], HALF_SIDE_DEG[1]),
    )


def _batches(rows: list[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def populate(engine: Engine, seed: int = 7) -> None:
    """Core bulk inserts: one executemany per table and batch, no ORM objects."""
    rng = random.Random(seed)
    created = NOW - timedelta(days=400)
    people, profiles, services, slots = [], [], [], []
    for pid in range(1, HELPERS + RESIDENTS + 1):
        people.append(
            {"id": pid, "display_name": f"Personne {pid}", "language": "fr", "status": "active"}
            | {"created_at": created}
        )
    weights = [6 if s in ("errands", "companionship", "diy") else 2 for s in SERVICES]
    for pid in range(1, HELPERS + 1):
        lat, lon = _point(rng)
        # Neighbourhood help: mostly a few km; a few drivers go much further.
        if rng.random() < 0.02:
            radius = rng.choice((8.0, 12.0, 20.0))
        else:
            radius = float(rng.choice((1, 2, 3, 3, 4, 5)))
        profiles.append(
            {
                "person_id": pid,
                "lat": lat,
                "lon": lon,
                "radius_km": radius,
                "languages": ["fr", "en"] if rng.random() < 0.3 else ["fr"],
                "active": rng.random() > 0.05,
                "verified_at": created if rng.random() < 0.6 else None,
                "bio": "",
                "created_at": created,
            }
        )
        for service in set(rng.choices(SERVICES, weights, k=rng.randint(1, 3))):
            # With the copies of the profile's place and radius that matching searches on.
            services.append(
                {"person_id": pid, "service": service, "lat": lat, "lon": lon, "radius_km": radius}
            )
        if rng.random() < 0.9:
            for weekday in rng.sample(range(7), rng.randint(1, 4)):
                start = rng.randint(8, 17) * 60
                slots.append(
                    {
                        "person_id": pid,
                        "weekday": weekday,
                        "start_minute": start,
                        "end_minute": min(start + rng.randint(2, 6) * 60, 24 * 60),
                    }
                )
    requests, ratings, offers = [], [], []
    for rid in range(1, PAST_JOBS + 1):
        helper = rng.randint(1, HELPERS)
        requester = rng.randint(HELPERS + 1, HELPERS + RESIDENTS)
        assigned = NOW - timedelta(hours=rng.uniform(1, 24 * 60))
        lat, lon = _point(rng)
        requests.append(
            {
                "id": rid,
                "requester_id": requester,
                "service": rng.choice(SERVICES),
                "lat": lat,
                "lon": lon,
                "status": "done",
                "helper_id": helper,
                "assigned_at": assigned,
                "created_at": assigned,
                "updated_at": assigned,
            }
        )
        if rng.random() < 0.7:
            ratings.append(
                {
                    "request_id": rid,
                    "rater_id": requester,
                    "ratee_id": helper,
                    "stars": rng.choices((1, 2, 3, 4, 5), (1, 1, 3, 10, 20))[0],
                    "created_at": assigned,
                }
            )
    for _ in range(RECENT_OFFERS):
        offers.append(
            {
                "request_id": rng.randint(1, PAST_JOBS),
                "helper_id": rng.randint(1, HELPERS),
                "round": 1,
                "rank": 1,
                "score": 0.5,
                "explanation": {},
                "status": "declined",
                "created_at": NOW - timedelta(hours=rng.uniform(1, 24 * 7)),
                "expires_at": NOW,
            }
        )
    offers = list({(o["request_id"], o["helper_id"]): o for o in offers}.values())
    with engine.begin() as conn:
        for model, rows in (
            (Person, people),
            (HelperProfile, profiles),
            (HelperService, services),
            (AvailabilitySlot, slots),
            (HelpRequest, requests),
            (Rating, ratings),
            (Offer, offers),
        ):
            for batch in _batches(rows):
                conn.execute(insert(model.__table__), batch)
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"SELECT setval('help_requests_id_seq', {PAST_JOBS})"))
        else:
            conn.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        # The state autovacuum keeps a live database in: statistics and visibility map (the
        # latter lets PostgreSQL answer from an index alone).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def open_requests(engine: Engine, seed: int = 11) -> list[int]:
    """The requests to rank: random places, services and times, by random residents."""
    rng = random.Random(seed)
    rows = []
    for _ in range(QUERIES):
        lat, lon = _point(rng)
        row: dict[str, Any] = {
            "requester_id": rng.randint(HELPERS + 1, HELPERS + RESIDENTS),
            "service": rng.choice(SERVICES),
            "lat": lat,
            "lon": lon,
            "status": "open",
            "language": "en" if rng.random() < 0.1 else "fr",
            "created_at": NOW,
            "updated_at": NOW,
            "window_start": None,
            "window_end": None,
        }
        if rng.random() < 0.5:
            start = NOW + timedelta(hours=rng.randint(2, 24 * 6))
            row |= {"window_start": start, "window_end": start + timedelta(hours=3)}
        rows.append(row)
    with engine.begin() as conn:
        conn.execute(insert(HelpRequest.__table__), rows)
    with Session(engine) as session:
        return list(
            session.scalars(
                select(HelpRequest.id).where(HelpRequest.status == "open").order_by(HelpRequest.id)
            )
        )


def naive_top(session: Session, request: HelpRequest) -> list[int]:
    """Baseline: every helper offering the service, haversine for each, in Python."""
    hp = HelperProfile
    rows = session.execute(
        select(hp.person_id, hp.lat, hp.lon, hp.radius_km)
        .join(HelperService, HelperService.person_id == HelperProfile.person_id)
        .where(HelperService.service == request.service, HelperProfile.active.is_(True))
    )
    assert request.lat is not None and request.lon is not None
    reach = []
    for pid, lat, lon, radius in rows:
        d = haversine_km(request.lat, request.lon, lat, lon)
        if d <= radius:
            reach.append((d, pid))
    return [pid for _, pid in sorted(reach)[:10]]


def _timings(
    requests: list[HelpRequest], run: Callable[[HelpRequest], object]
) -> tuple[list[float], float]:
    """Wall-clock milliseconds per request, and the median CPU time of this process."""
    for request in requests[:5]:  # warm caches and compiled statements
        run(request)
    wall, cpu = [], []
    for request in requests:
        started, started_cpu = time.perf_counter(), time.process_time()
        run(request)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, statistics.median(cpu)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def measure(engine: Engine, label: str) -> None:
    started = time.perf_counter()
    Base.metadata.create_all(engine)
    populate(engine)
    ids = open_requests(engine)
    print(f"[{label}] {HELPERS:,} helpers loaded in {time.perf_counter() - started:.1f} s")
    with Session(engine) as session:
        requests = [session.get_one(HelpRequest, i) for i in ids]
        sizes = [len(rank_helpers(session, r, limit=10, now=NOW)) for r in requests]
        ours, ours_cpu = _timings(requests, lambda r: rank_helpers(session, r, limit=10, now=NOW))
        prefilter, _ = _timings(requests, lambda r: _prefilter_only(session, r))
        naive, _ = _timings(requests, lambda r: naive_top(session, r))
    med, base = statistics.median(ours), statistics.median(naive)
    print(
        f"[{label}] rank_helpers top 10: median {med:.1f} ms, p95 {_p95(ours):.1f} ms, "
        f"client CPU median {ours_cpu:.1f} ms ({statistics.fmean(sizes):.1f} results)"
    )
    print(
        f"[{label}]   of which the prefilter query alone: median "
        f"{statistics.median(prefilter):.1f} ms"
    )
    print(
        f"[{label}] baseline, full scan of the service + haversine in Python (distance only): "
        f"median {base:.1f} ms, p95 {_p95(naive):.1f} ms"
    )
    verdict = "met" if med <= 20 else "missed"
    print(f"[{label}] baseline / ours = {base / med:.1f}x; goal median <= 20 ms: {verdict}")


def _prefilter_only(session: Session, request: HelpRequest) -> object:
    assert request.service is not None and request.lat is not None and request.lon is not None
    return reachable_helpers(session, request.service, request.lat, request.lon, 5.0)


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work skews wall times)")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        try:
            measure(engine, "sqlite")
        finally:
            engine.dispose()
    with throwaway_postgres() as url:
        if url is not None:
            engine = make_engine(url)
            try:
                measure(engine, "postgresql")
            finally:
                engine.dispose()


if __name__ == "__main__":
    main()
