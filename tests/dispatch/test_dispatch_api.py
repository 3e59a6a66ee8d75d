"""The matching and dispatch endpoints, end to end over HTTP with real tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backend.api import API_PREFIX, install_error_handlers
from backend.dispatch.config import DispatchConfig
from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.router import router as dispatch_router
from backend.matching.router import router as matching_router
from backend.people.models import Person, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from tests.dispatch.dispatch_data import helper, open_request, requester

Headers = Callable[[int], dict[str, str]]


@pytest.fixture
def api(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.session_factory = session_factory
    app.state.dispatch_config = DispatchConfig(
        DispatchPolicy(offers_per_round=2), commission_bps=1000
    )
    install_error_handlers(app)
    app.include_router(matching_router, prefix=API_PREFIX)
    app.include_router(dispatch_router, prefix=API_PREFIX)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def people(session: Session) -> dict[str, Person]:
    cast = {
        "dispatcher": create_person(
            session, PersonCreate(display_name="Régine Répartitrice", roles=[Role.dispatcher])
        ),
        "amelie": helper(session, "Amélie Poulain", km=0.3),
        "bruno": helper(session, "Bruno Martin", km=0.8),
        "jeanne": requester(session, "Jeanne Martin"),
    }
    cast["request"] = open_request(session, cast["jeanne"])  # type: ignore[assignment]
    session.commit()
    return cast


def url(path: str) -> str:
    return API_PREFIX + path


def test_dispatchers_see_ranked_candidates_with_reasons(
    api: TestClient, people: dict[str, Person], login_as: Headers
) -> None:
    rid = people["request"].id
    res = api.get(url(f"/requests/{rid}/candidates"), headers=login_as(people["dispatcher"].id))
    assert res.status_code == 200
    body = res.json()
    assert [c["helper_id"] for c in body] == [people["amelie"].id, people["bruno"].id]
    assert body[0]["rank"] == 1 and body[0]["factors"][0]["reason_fr"] == "à 300 m"
    refused = api.get(url(f"/requests/{rid}/candidates"), headers=login_as(people["jeanne"].id))
    assert refused.status_code == 403


def test_dispatch_accept_and_a_late_accept(
    api: TestClient, people: dict[str, Person], login_as: Headers
) -> None:
    rid = people["request"].id
    res = api.post(url(f"/requests/{rid}/dispatch"), headers=login_as(people["dispatcher"].id))
    assert res.status_code == 200, res.text
    offers = {o["helper_id"]: o["id"] for o in res.json()["offers"]}
    assert res.json()["status"] == "offered" and len(offers) == 2

    amelie, bruno = people["amelie"].id, people["bruno"].id
    won = api.post(url(f"/offers/{offers[amelie]}/accept"), headers=login_as(amelie))
    assert won.status_code == 200 and won.json()["outcome"] == "assigned"
    again = api.post(url(f"/offers/{offers[amelie]}/accept"), headers=login_as(amelie))
    assert again.status_code == 200 and again.json()["outcome"] == "already_yours"
    late = api.post(url(f"/offers/{offers[bruno]}/accept"), headers=login_as(bruno))
    assert late.status_code == 409 and late.json()["error"] == "already_taken"
    assert "déjà prise" in late.json()["message"]

    stolen = api.post(url(f"/offers/{offers[amelie]}/decline"), headers=login_as(bruno))
    assert stolen.status_code == 403


def test_decline_then_assign_by_hand_start_and_complete(
    api: TestClient, people: dict[str, Person], login_as: Headers
) -> None:
    rid = people["request"].id
    dispatcher, amelie, bruno = (people[k].id for k in ("dispatcher", "amelie", "bruno"))
    offers = api.post(url(f"/requests/{rid}/dispatch"), headers=login_as(dispatcher)).json()
    mine = next(o["id"] for o in offers["offers"] if o["helper_id"] == amelie)
    declined = api.post(url(f"/offers/{mine}/decline"), headers=login_as(amelie))
    assert declined.status_code == 200 and declined.json()["status"] == "declined"

    by_resident = api.post(
        url(f"/requests/{rid}/assign"), json={"helper_id": bruno}, headers=login_as(amelie)
    )
    assert by_resident.status_code == 403
    assigned = api.post(
        url(f"/requests/{rid}/assign"), json={"helper_id": bruno}, headers=login_as(dispatcher)
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["helper_id"] == bruno and assigned.json()["safety_word"]

    assert api.post(url(f"/requests/{rid}/start"), headers=login_as(amelie)).status_code == 403
    started = api.post(url(f"/requests/{rid}/start"), headers=login_as(bruno))
    assert started.json()["status"] == "in_progress"
    done = api.post(url(f"/requests/{rid}/complete"), headers=login_as(people["jeanne"].id))
    assert done.json()["status"] == "done" and done.json()["completed_at"]


def test_the_requester_cancels_with_a_reason(
    api: TestClient, people: dict[str, Person], login_as: Headers
) -> None:
    rid = people["request"].id
    stranger = api.post(url(f"/requests/{rid}/cancel"), headers=login_as(people["bruno"].id))
    assert stranger.status_code == 403
    res = api.post(
        url(f"/requests/{rid}/cancel"),
        json={"reason": "ma fille est venue"},
        headers=login_as(people["jeanne"].id),
    )
    assert res.status_code == 200 and res.json()["status"] == "cancelled"
    again = api.post(url(f"/requests/{rid}/dispatch"), headers=login_as(people["dispatcher"].id))
    assert again.status_code == 409


def test_a_dispatcher_reassigns_a_job_not_started(
    api: TestClient, people: dict[str, Person], login_as: Headers
) -> None:
    rid = people["request"].id
    dispatcher, amelie, bruno = (people[k].id for k in ("dispatcher", "amelie", "bruno"))
    body = {"helper_id": amelie}
    api.post(url(f"/requests/{rid}/assign"), json=body, headers=login_as(dispatcher))
    by_helper = api.post(
        url(f"/requests/{rid}/reassign"), json={"helper_id": bruno}, headers=login_as(amelie)
    )
    assert by_helper.status_code == 403
    moved = api.post(
        url(f"/requests/{rid}/reassign"), json={"helper_id": bruno}, headers=login_as(dispatcher)
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["helper_id"] == bruno and moved.json()["status"] == "assigned"
    again = api.post(
        url(f"/requests/{rid}/reassign"), json={"helper_id": bruno}, headers=login_as(dispatcher)
    )
    assert again.status_code == 422
