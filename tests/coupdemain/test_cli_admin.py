"""`coupdemain admin create / set-password` on a real SQLite file, then logging in through the
API as the account it made: what is stored, what is refused, and the password never shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from backend.db import make_engine, make_session_factory
from backend.people.models import Person
from coupdemain.cli import app
from coupdemain.settings import Settings

PASSWORD = "pentes-de-la-croix-rousse"
NEW_PASSWORD = "traboules-et-escaliers-2027"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'real.db'}"


@pytest.fixture
def admin(database_url: str, tmp_path: Path) -> CliRunner:
    env = {"COUPDEMAIN_DATABASE_URL": database_url, "COUPDEMAIN_VAR_DIR": str(tmp_path / "var")}
    return CliRunner(env=env)


def run(runner: CliRunner, *args: str, typed: str) -> Result:
    return runner.invoke(app, ["admin", *args], input=typed)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    from coupdemain.app import create_app

    settings = Settings(
        database_url=database_url,
        var_dir=tmp_path / "var",
        run_workers=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(settings)) as client:
        yield client


def log_in(api: TestClient, login: str, password: str) -> int:
    return api.post(
        "/api/v1/auth/token", data={"username": login, "password": password}
    ).status_code


def people_named(database_url: str, login: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            stmt = select(func.count()).select_from(Person).where(Person.login == login)
            return int(session.scalar(stmt) or 0)
    except Exception:  # no schema yet: nothing was created
        return 0
    finally:
        engine.dispose()


def test_admin_create_makes_a_dispatcher_who_logs_in_through_the_api(
    admin: CliRunner, api: TestClient
) -> None:
    made = run(
        admin, "create", "--login", "nadia", "--role", "dispatcher", "--name", "Nadia Benali",
        typed=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip

    assert made.exit_code == 0, made.output
    assert "Account created: Nadia Benali (nadia, dispatcher" in made.output
    assert PASSWORD not in made.output
    reply = api.post("/api/v1/auth/token", data={"username": "nadia", "password": PASSWORD})
    assert reply.status_code == 200
    me = api.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {reply.json()['access_token']}"}
    )
    assert me.json()["display_name"] == "Nadia Benali"
    assert me.json()["roles"] == ["dispatcher"]


def test_the_password_can_come_from_stdin_for_scripts(admin: CliRunner, api: TestClient) -> None:
    made = run(admin, "create", "--login", "root", "--role", "admin", "--password-stdin",
               typed=f"{PASSWORD}\n")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert PASSWORD not in made.output
    assert log_in(api, "root", PASSWORD) == 200


def test_two_different_entries_are_asked_again_and_nothing_is_created(
    admin: CliRunner, database_url: str
) -> None:
    made = run(admin, "create", "--login", "nadia", "--role", "dispatcher",
               typed=f"{PASSWORD}\n{PASSWORD}x\n")  # fmt: skip
    assert made.exit_code != 0
    assert "do not match" in made.output
    assert PASSWORD not in made.output
    assert people_named(database_url, "nadia") == 0


@pytest.mark.parametrize(
    ("login", "password", "why"),
    [
        ("nadia", "court-2026", "at least 12 characters"),
        ("nadia.benali.lyon", "Nadia.Benali.Lyon", "cannot be the login"),
    ],
)
def test_a_weak_password_is_refused_with_exit_2_and_nothing_created(
    admin: CliRunner, database_url: str, login: str, password: str, why: str
) -> None:
    made = run(admin, "create", "--login", login, "--role", "admin", "--password-stdin",
               typed=f"{password}\n")  # fmt: skip
    assert made.exit_code == 2
    assert why in made.output
    assert password not in made.output
    assert people_named(database_url, login) == 0


def test_an_existing_login_is_refused_with_exit_2_and_the_first_account_kept(
    admin: CliRunner, api: TestClient, database_url: str
) -> None:
    first = run(admin, "create", "--login", "nadia", "--role", "dispatcher", "--password-stdin",
                typed=f"{PASSWORD}\n")  # fmt: skip
    assert first.exit_code == 0

    again = run(admin, "create", "--login", "nadia", "--role", "admin", "--password-stdin",
                typed=f"{NEW_PASSWORD}\n")  # fmt: skip

    assert again.exit_code == 2
    assert "login 'nadia' is taken" in again.output
    assert NEW_PASSWORD not in again.output
    assert people_named(database_url, "nadia") == 1
    assert log_in(api, "nadia", PASSWORD) == 200
    assert log_in(api, "nadia", NEW_PASSWORD) == 401


def test_set_password_replaces_it_and_ends_open_sessions(admin: CliRunner, api: TestClient) -> None:
    run(admin, "create", "--login", "nadia", "--role", "dispatcher", "--password-stdin",
        typed=f"{PASSWORD}\n")  # fmt: skip
    token = api.post("/api/v1/auth/token", data={"username": "nadia", "password": PASSWORD}).json()[
        "access_token"
    ]

    changed = run(admin, "set-password", "nadia", typed=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")

    assert changed.exit_code == 0, changed.output
    assert NEW_PASSWORD not in changed.output
    assert log_in(api, "nadia", PASSWORD) == 401
    assert log_in(api, "nadia", NEW_PASSWORD) == 200
    old = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert old.status_code == 401


def test_set_password_for_an_unknown_login_is_refused_with_exit_2(admin: CliRunner) -> None:
    said = run(admin, "set-password", "personne", "--password-stdin", typed=f"{PASSWORD}\n")
    assert said.exit_code == 2
    assert "no account with login 'personne'" in said.output
