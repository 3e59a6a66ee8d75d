"""Every REST operation, fuzzed from the app's own OpenAPI document (schemathesis).

Requests that fit the document and requests that do not (negative data: wrong types, ids
out of range, missing fields) are sent to the real app on SQLite and on PostgreSQL, as a
logged-in dispatcher and as a logged-in resident, in a neighbourhood with people, a request
and its offer. Each answer must not be a server error, must have a status the document
lists for the operation, and a body that matches the schema it gives for that status (the
refusals' `ErrorOut` included). Bounded and deterministic: a fixed number of examples per
operation, derandomized, so a failure is the same failure on the next run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.auth.service import issue_token, resolve_token
from backend.db import Base, make_engine, make_session_factory, utcnow
from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.service import start_dispatch
from backend.people.models import Person, PersonStatus, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from coupdemain.app import create_app
from coupdemain.settings import Settings
from tests.conftest import _truncate_all
from tests.factories import make_helper, make_request, make_resident

EXAMPLES_PER_OPERATION = 20
SEED = 20261123
ROLES = ("dispatcher", "resident")
PASSWORD = "croix-rousse-2026"

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
]


def _settings(database_url: str, var_dir: Path | None = None) -> Settings:
    extra: dict[str, Any] = {"var_dir": var_dir} if var_dir is not None else {}
    return Settings(
        database_url=database_url,
        run_workers=False,
        _env_file=None,  # type: ignore[call-arg]
        **extra,
    )


def _document() -> dict[str, Any]:
    """The OpenAPI document the app serves (it does not depend on the database)."""
    app = create_app(_settings("sqlite:///:memory:"))
    try:
        return app.openapi()
    finally:
        app.state.engine.dispose()


schema = schemathesis.openapi.from_dict(
    _document(),
    config=SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",  # data that fits the document, and data that does not
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
            },
            # Fuzzing only: the examples phase cannot draw the role, the coverage phase is
            # unbounded by max-examples, and the stateful one would chain calls.
            "phases": {
                "examples": {"enabled": False},
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
            },
        }
    ),
)


@dataclass
class Neighbourhood:
    """The app on one database, who the fuzzer acts as, and their tokens."""

    http: ASGIClient
    factory: sessionmaker[Session]
    people: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    answered: Counter[int] = field(default_factory=Counter)  # status -> cases (-rP shows it)

    def headers(self, role: str) -> dict[str, str]:
        """A live token for `role`: an earlier case may have logged them out or suspended them."""
        with self.factory() as s, s.begin():
            if resolve_token(s, self.tokens[role]) is None:  # only then write anything
                person = s.get_one(Person, self.people[role])
                person.status = PersonStatus.active
                self.tokens[role], _ = issue_token(s, person)
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _populate(world: Neighbourhood) -> None:
    """A dispatcher, a resident with a request offered to a helper; both log in for real."""
    with world.factory() as s, s.begin():
        dispatcher = create_person(
            s,
            PersonCreate(
                display_name="Nadia", roles=[Role.dispatcher], login="nadia", password=PASSWORD
            ),
        )
        resident = make_resident(s, "Jeanne")
        resident.login = "jeanne"
        resident.password_hash = dispatcher.password_hash
        make_helper(s, "Karim")
        help_request = make_request(s, resident)
        s.flush()
        start_dispatch(s, help_request, DispatchPolicy(), utcnow())
        world.people = {"dispatcher": dispatcher.id, "resident": resident.id}
    for role, login in (("dispatcher", "nadia"), ("resident", "jeanne")):
        reply = world.http.post(
            "/api/v1/auth/token", data={"username": login, "password": PASSWORD}
        )
        assert reply.status_code == 200, reply.text
        world.tokens[role] = reply.json()["access_token"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def neighbourhood(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Neighbourhood]:
    """One app and database per module and database kind (not one per operation)."""
    tmp = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        db: Engine = make_engine(f"sqlite:///{tmp}/fuzz.db")
        Base.metadata.create_all(db)
    else:
        db = request.getfixturevalue("_pg_engine")
    app = create_app(_settings(db.url.render_as_string(hide_password=False), tmp))
    # Requests go straight to the app; its lifespan (workers, live feed) is not needed.
    http = ASGIClient(app)  # type: ignore[arg-type]  # its ASGI type is narrower than FastAPI's
    world = Neighbourhood(http, make_session_factory(db))
    try:
        _populate(world)
        yield world
        print(f"fuzzed on {request.param}: {sum(world.answered.values())} cases, by status:")
        print(dict(sorted(world.answered.items())))
    finally:
        app.state.engine.dispose()
        if request.param == "sqlite":
            db.dispose()
        else:
            _truncate_all(db)


@schema.parametrize()
@schema.given(role=st.sampled_from(ROLES))
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_what_its_document_says_and_never_a_server_error(
    case: Case, role: str, neighbourhood: Neighbourhood
) -> None:
    headers: dict[str, Any] = dict(case.headers or {})
    headers.update(neighbourhood.headers(role))
    response = case.call_and_validate(session=neighbourhood.http, headers=headers, checks=CHECKS)
    neighbourhood.answered[response.status_code] += 1
