from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from tests.trust.trust_helpers import finished_job

Login = Callable[[int], dict[str, str]]


def test_rating_through_the_api_then_reading_it_publicly(
    client: TestClient, session: Session, login_as: Login
) -> None:
    request, requester, helper = finished_job(session)
    session.commit()
    body = {"request_id": request.id, "stars": 5, "comment": "Merci Karim"}
    first = client.post("/api/v1/ratings", headers=login_as(requester.id), json=body)
    assert first.status_code == 201, first.text
    retried = client.post("/api/v1/ratings", headers=login_as(requester.id), json=body)
    assert retried.json()["id"] == first.json()["id"]
    changed = client.post(
        "/api/v1/ratings", headers=login_as(requester.id), json=body | {"stars": 1}
    )
    assert changed.status_code == 409
    assert "already rated" in changed.json()["message"]

    public = client.get(f"/api/v1/ratings/helpers/{helper.id}")  # no login needed
    assert public.status_code == 200
    assert public.json()["items"] == [
        {
            "stars": 5,
            "comment": "Merci Karim",
            "created_at": public.json()["items"][0]["created_at"],
            "rater_first_name": "Odette",
            "service": "errands",
        }
    ]
    summary = client.get(f"/api/v1/ratings/helpers/{helper.id}/summary").json()
    assert summary == {"helper_id": helper.id, "count": 1, "mean": 5.0}


def test_stars_out_of_range_get_a_422(
    client: TestClient, session: Session, login_as: Login
) -> None:
    request, requester, _ = finished_job(session)
    session.commit()
    for stars in (0, 6):
        reply = client.post(
            "/api/v1/ratings",
            headers=login_as(requester.id),
            json={"request_id": request.id, "stars": stars},
        )
        assert reply.status_code == 422
        assert reply.json()["details"][0]["field"] == "stars"


def test_a_stranger_rating_gets_403(client: TestClient, session: Session, login_as: Login) -> None:
    request, _, _ = finished_job(session)
    stranger = create_person(session, PersonCreate(display_name="Paul Martin"))
    session.commit()
    reply = client.post(
        "/api/v1/ratings",
        headers=login_as(stranger.id),
        json={"request_id": request.id, "stars": 1},
    )
    assert reply.status_code == 403


def test_report_flags_the_request_and_dispatchers_resolve_it(
    client: TestClient, session: Session, login_as: Login
) -> None:
    request, requester, helper = finished_job(session)
    dispatcher = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    session.commit()
    filed = client.post(
        "/api/v1/reports",
        headers=login_as(requester.id),
        json={"kind": "no_show", "text": "Personne", "request_id": request.id},
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["about_id"] == helper.id

    seen = client.get(f"/api/v1/requests/{request.id}", headers=login_as(dispatcher.id)).json()
    assert seen["needs_dispatcher"] is True

    assert client.get("/api/v1/reports", headers=login_as(requester.id)).status_code == 403
    listed = client.get("/api/v1/reports", headers=login_as(dispatcher.id)).json()
    assert [r["id"] for r in listed["items"]] == [filed.json()["id"]]
    resolved = client.post(
        f"/api/v1/reports/{filed.json()['id']}/resolve",
        headers=login_as(dispatcher.id),
        json={"resolution": "Rappelé l'aidant, nouveau passage demain"},
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert client.get("/api/v1/reports", headers=login_as(dispatcher.id)).json()["total"] == 0


def test_unknown_report_kind_gets_a_422(
    client: TestClient, session: Session, login_as: Login
) -> None:
    person = create_person(session, PersonCreate(display_name="Paul Martin"))
    session.commit()
    reply = client.post("/api/v1/reports", headers=login_as(person.id), json={"kind": "juggling"})
    assert reply.status_code == 422
