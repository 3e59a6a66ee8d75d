"""Database fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL tests use a throw-away database created for this test session (so parallel runs
and other developers' runs never meet) and are skipped, with the reason, when the server at
127.0.0.1:5432 is unreachable. Override with COUPDEMAIN_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import backend.models  # noqa: F401  (registers every table on Base.metadata)
from backend.db import Base, make_engine, make_session_factory

PG_ADMIN_URL = os.environ.get(
    "COUPDEMAIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_unreachable() -> str | None:
    try:
        probe = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
        probe.dispose()
    except Exception as exc:  # any failure means: skip, and say why
        return f"PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string()} unreachable: {exc}"
    return None


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    reason = _postgres_unreachable()
    if reason:
        pytest.skip(reason)
    name = f"cdm_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url, pool_size=40)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def pg_engine(_pg_engine: Engine) -> Iterator[Engine]:
    yield _pg_engine
    _truncate_all(_pg_engine)


@pytest.fixture
def sqlite_engine(tmp_path: object) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path}/test.db")  # type: ignore[str-bytes-safe]
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same test, once per supported database."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed by the test (or rolled back on error)."""
    with session_factory() as s:
        yield s


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The real app (routers, error handlers, auth) on the test database; no workers."""

    from coupdemain.app import create_app
    from coupdemain.settings import Settings

    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        run_workers=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def login_as(session_factory: sessionmaker[Session]) -> Callable[[int], dict[str, str]]:
    """Authorization headers for a person id (a token issued as the API would)."""
    from backend.auth.service import issue_token
    from backend.people.models import Person

    def headers(person_id: int) -> dict[str, str]:
        with session_factory() as s, s.begin():
            token, _ = issue_token(s, s.get_one(Person, person_id))
        return {"Authorization": f"Bearer {token}"}

    return headers
