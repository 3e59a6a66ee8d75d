from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person


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
