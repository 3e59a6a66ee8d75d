"""The prefilter (queries.reachable_helpers): exactly the helpers a plain haversine over every
helper would keep, and index plans on both databases whatever the values."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, insert, text
from sqlalchemy.orm import Session

from backend.geo import haversine_km
from backend.matching.queries import reachable_helpers
from backend.people.models import SERVICES, AvailabilitySlot, HelperProfile, HelperService, Person
from tests.factories import CENTRE

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def _helpers(session: Session, n: int, seed: int) -> list[dict[str, Any]]:
    """`n` helpers within ~12 km of the centre, bulk-inserted; a few wide radii, inactive
    helpers and suspended people among them. Returns their profiles (with `services`)."""
    rng = random.Random(seed)
    people, profiles, services, slots = [], [], [], []
    for pid in range(1, n + 1):
        suspended = rng.random() < 0.05
        status = "suspended" if suspended else "active"
        people.append(
            {"id": pid, "display_name": f"Aidant {pid}", "status": status, "created_at": CREATED}
        )
        lat = CENTRE[0] + rng.uniform(-0.11, 0.11)
        lon = CENTRE[1] + rng.uniform(-0.16, 0.16)
        radius = rng.choice((8.0, 15.0, 40.0)) if rng.random() < 0.05 else rng.uniform(0.5, 5.0)
        place = {"person_id": pid, "lat": lat, "lon": lon, "radius_km": radius}
        offered = set(rng.sample(SERVICES[:4], rng.randint(1, 2)))
        profiles.append(
            place
            | {"languages": ["fr"], "active": rng.random() > 0.05, "bio": "", "created_at": CREATED}
            | {"suspended": suspended, "services": offered}
        )
        services += [place | {"service": s} for s in offered]
        slots.append({"person_id": pid, "weekday": rng.randrange(7), "start_minute": 600,
                      "end_minute": 720})  # fmt: skip
    session.execute(insert(Person), people)
    columns = set(HelperProfile.__table__.columns.keys())
    session.execute(insert(HelperProfile), [{k: p[k] for k in columns if k in p} for p in profiles])
    session.execute(insert(HelperService), services)
    session.execute(insert(AvailabilitySlot), slots)
    session.commit()
    return profiles


def test_the_prefilter_keeps_exactly_whom_haversine_keeps(session: Session) -> None:
    profiles = _helpers(session, 600, seed=5)
    rng = random.Random(9)
    for _ in range(25):
        lat = CENTRE[0] + rng.uniform(-0.12, 0.12)
        lon = CENTRE[1] + rng.uniform(-0.17, 0.17)
        service = rng.choice(SERVICES[:4])
        expected = {
            p["person_id"]: haversine_km(lat, lon, p["lat"], p["lon"])
            for p in profiles
            # Suspension is checked later, for the few read further (queries.counts).
            if service in p["services"] and p["active"]
            and haversine_km(lat, lon, p["lat"], p["lon"]) <= p["radius_km"]
        }  # fmt: skip
        found = {
            r.helper_id: r.distance_km for r in reachable_helpers(session, service, lat, lon, 5.0)
        }
        assert found == expected
        assert expected  # the test means something


def _captured_prefilter(session: Session) -> tuple[str, Any]:
    """The SQL and parameters the driver receives for one prefilter call."""
    seen: list[tuple[str, Any]] = []
    engine = session.get_bind()
    assert isinstance(engine, Engine)

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        reachable_helpers(session, "errands", CENTRE[0], CENTRE[1], 5.0)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return seen[-1]


def test_the_prefilter_reads_helper_services_by_index_and_the_rest_by_key(
    session: Session,
) -> None:
    _helpers(session, 3000, seed=6)
    statement, params = _captured_prefilter(session)
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("ANALYZE")
        plan = "\n".join(
            row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
        )
        assert "COVERING INDEX ix_helper_services_near (service=? AND lat>? AND lat<?)" in plan
        assert "COVERING INDEX ix_helper_services_wide (service=? AND radius_km>?" in plan
        assert "COVERING INDEX ix_helper_availability_person_id (person_id=?)" in plan
        assert not re.search(r"^SCAN", plan, re.M), plan
        return
    # PostgreSQL: the generic plan, the one a prepared statement ends up with (psycopg prepares
    # after 5 executions), is made without the values and must still walk the indexes.
    session.commit()
    conn = session.connection()
    conn.exec_driver_sql("ANALYZE")
    names: list[str] = []

    def placeholder(m: re.Match[str]) -> str:
        if m.group(1) not in names:
            names.append(m.group(1))
        return f"${names.index(m.group(1)) + 1}"

    conn.exec_driver_sql("PREPARE prefilter AS " + re.sub(r"%\((\w+)\)s", placeholder, statement))
    values = ", ".join(
        "'" + v + "'" if isinstance(v, str) else repr(v) for v in (params[n] for n in names)
    )
    conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN EXECUTE prefilter({values})"))
    conn.execute(text("DEALLOCATE prefilter"))
    assert "$1" in plan or "$2" in plan, plan  # generic indeed
    # (Index only once vacuumed; a fresh test table may get a bitmap scan of the same index.)
    assert "on ix_helper_services_near" in plan or "using ix_helper_services_near" in plan, plan
    assert "on ix_helper_services_wide" in plan or "using ix_helper_services_wide" in plan, plan
    assert "Seq Scan" not in plan and "Hash" not in plan, plan
