"""Processes started together (web, workers, several machines) all migrate a fresh
PostgreSQL database: they take turns, and each finds the schema at head."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from backend.db import make_engine
from tests.migrations.test_migrations import _assert_matches_models, _fresh_postgres

PROCESSES = 4


def test_processes_migrating_a_fresh_database_at_once_all_succeed(pg_url: str) -> None:
    url = _fresh_postgres(pg_url, make_url(pg_url).database + "_concurrent")  # type: ignore[operator]
    code = (
        "import sys; from backend.db import make_engine; "
        "from backend.migrations.runner import upgrade; upgrade(make_engine(sys.argv[1]))"
    )
    try:
        started = [
            subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
            for _ in range(PROCESSES)
        ]
        failures = [err for p in started for _, err in [p.communicate()] if p.returncode != 0]
        assert failures == [], failures[0].splitlines()[-1]
        engine = make_engine(url)
        _assert_matches_models(engine)
        engine.dispose()
    finally:
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()
