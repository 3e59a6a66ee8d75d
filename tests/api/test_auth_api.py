from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backend.db import make_session_factory
from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from coupdemain.app import create_app
from coupdemain.settings import Settings
from tests.auth.throttle_helpers import Clock, throttle_reads


def _dispatcher(session: Session) -> int:
    person = create_person(
        session,
        PersonCreate(
            display_name="Nadia Benali",
            roles=[Role.dispatcher],
            login="nadia",
            password="correct horse battery",
        ),
    )
    session.commit()
    return person.id


def test_dispatcher_logs_in_and_reads_herself(client: TestClient, session: Session) -> None:
    _dispatcher(session)
    reply = client.post(
        "/api/v1/auth/token", data={"username": "nadia", "password": "correct horse battery"}
    )
    assert reply.status_code == 200, reply.text
    token = reply.json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["display_name"] == "Nadia Benali"
    assert "dispatcher" in me.json()["roles"]


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: TestClient, session: Session
) -> None:
    _dispatcher(session)
    for login, password in [("nadia", "nope nope nope"), ("nobody", "correct horse battery")]:
        reply = client.post("/api/v1/auth/token", data={"username": login, "password": password})
        assert reply.status_code == 401
        assert reply.json()["message"] == "wrong login or password"


def test_password_is_stored_hashed(session: Session) -> None:
    from backend.people.models import Person

    person = session.get_one(Person, _dispatcher(session))
    assert person.password_hash and "correct horse" not in person.password_hash
    assert person.password_hash.startswith("$argon2id$")


def test_logout_revokes_the_token(client: TestClient, session: Session) -> None:
    _dispatcher(session)
    token = client.post(
        "/api/v1/auth/token", data={"username": "nadia", "password": "correct horse battery"}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_no_token_and_forged_token_get_401(client: TestClient) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401
    forged = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401
    assert forged.json()["error"] == "not_authenticated"


def test_suspended_person_token_stops_working(
    client: TestClient, session: Session, login_as: Callable[[int], dict[str, str]]
) -> None:
    dispatcher_id = _dispatcher(session)
    resident = create_person(session, PersonCreate(display_name="Paul"))
    session.commit()
    paul = login_as(resident.id)
    assert client.get("/api/v1/auth/me", headers=paul).status_code == 200
    suspended = client.post(
        f"/api/v1/people/{resident.id}/suspend", headers=login_as(dispatcher_id)
    )
    assert suspended.json()["status"] == "suspended"
    assert client.get("/api/v1/auth/me", headers=paul).status_code == 401


def _token(client: TestClient, login: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": login, "password": password})


def test_sixth_wrong_password_gets_429_and_the_right_one_waits_for_the_lock_to_end(
    client: TestClient, session: Session
) -> None:
    _dispatcher(session)
    clock = throttle_reads(client.app, Clock())  # type: ignore[arg-type]
    for _ in range(5):
        assert _token(client, "nadia", "guess").status_code == 401
    sixth = _token(client, "nadia", "guess")
    assert sixth.status_code == 429
    assert sixth.headers["Retry-After"] == "60"
    assert sixth.json()["error"] == "too_many_attempts"
    # The right password is refused too: a throttle that let it through would be an oracle.
    clock.advance(seconds=30)
    right = _token(client, "nadia", "correct horse battery")
    assert right.status_code == 429 and right.headers["Retry-After"] == "30"
    assert "access_token" not in right.json()
    clock.advance(seconds=30)
    assert _token(client, "nadia", "correct horse battery").status_code == 200


def test_one_address_guessing_many_login_names_is_stopped_and_another_is_not(
    client: TestClient, session: Session
) -> None:
    _dispatcher(session)
    throttle_reads(client.app, Clock())  # type: ignore[arg-type]
    for n in range(20):
        assert _token(client, f"user{n}", "guess").status_code == 401
    stopped = _token(client, "nadia", "correct horse battery")
    assert stopped.status_code == 429 and stopped.headers["Retry-After"] == "900"
    elsewhere = TestClient(client.app, client=("198.51.100.4", 4000))
    assert _token(elsewhere, "nadia", "correct horse battery").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_counted(
    engine: Engine, session: Session
) -> None:
    _dispatcher(session)
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        run_workers=False,
        trusted_proxies="10.0.0.5",
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(settings), client=("10.0.0.5", 4000)) as proxied:
        throttle_reads(proxied.app, Clock())  # type: ignore[arg-type]
        for n in range(20):
            reply = proxied.post(
                "/api/v1/auth/token",
                data={"username": f"user{n}", "password": "guess"},
                headers={"X-Forwarded-For": "203.0.113.9"},
            )
            assert reply.status_code == 401
        # The spraying client is stopped; another client behind the same proxy is not.
        for client_ip, status in [("203.0.113.9", 429), ("203.0.113.10", 200)]:
            reply = proxied.post(
                "/api/v1/auth/token",
                data={"username": "nadia", "password": "correct horse battery"},
                headers={"X-Forwarded-For": client_ip},
            )
            assert reply.status_code == status, client_ip


def test_two_app_instances_on_one_postgresql_database_share_the_count(
    pg_engine: Engine,
) -> None:
    with make_session_factory(pg_engine)() as session:
        _dispatcher(session)
    settings = Settings(
        database_url=pg_engine.url.render_as_string(hide_password=False),
        run_workers=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        clock = Clock()
        throttle_reads(one.app, clock)  # type: ignore[arg-type]
        throttle_reads(two.app, clock)  # type: ignore[arg-type]
        for instance in [one, two, one, two, one]:
            assert _token(instance, "nadia", "guess").status_code == 401
        assert _token(two, "nadia", "correct horse battery").status_code == 429
        assert _token(one, "nadia", "correct horse battery").status_code == 429


def test_failed_and_throttled_logins_are_logged_with_login_and_address_never_the_password(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    _dispatcher(session)
    throttle_reads(client.app, Clock())  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="backend.auth.throttle"):
        for n in range(6):
            _token(client, "nadia", f"secret-guess-{n}")
        _token(client, "nadia", "correct horse battery")
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("login failed for 'nadia' from testclient" in line for line in lines) == 5
    assert sum("login throttled for 'nadia' from testclient" in line for line in lines) == 2
    assert not [line for line in lines if "secret-guess" in line or "correct horse" in line]
