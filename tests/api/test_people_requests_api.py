from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.dispatch.models import Offer
from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from backend.requests.models import RequestStatus
from backend.requests.service import get_request, transition
from tests.factories import make_helper, make_request, make_resident

Login = Callable[[int], dict[str, str]]


def _dispatcher_id(session: Session) -> int:
    person = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    session.commit()
    return person.id


def test_dispatcher_creates_a_person_with_a_clean_phone(
    client: TestClient, session: Session, login_as: Login
) -> None:
    reply = client.post(
        "/api/v1/people",
        headers=login_as(_dispatcher_id(session)),
        json={
            "display_name": "Germaine Roux",
            "phone": "04 78 00 00 01",
            "address": {
                "street": "3 rue Dumenge",
                "postcode": "69004",
                "city": "Lyon",
                "lat": 45.778,
                "lon": 4.829,
            },
        },
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["phone"] == "+33478000001"
    assert reply.json()["address"]["street"] == "3 rue Dumenge"


def test_invalid_person_gets_a_clear_422(
    client: TestClient, session: Session, login_as: Login
) -> None:
    reply = client.post(
        "/api/v1/people",
        headers=login_as(_dispatcher_id(session)),
        json={"display_name": "", "helper": {"services": ["juggling"]}},
    )
    assert reply.status_code == 422
    body = reply.json()
    assert body["error"] == "validation_error"
    fields = {d["field"] for d in body["details"]}
    assert {"display_name", "helper.services"} <= fields
    assert "juggling" in body["message"]


def test_bad_phone_gets_422_and_nothing_is_created(
    client: TestClient, session: Session, login_as: Login
) -> None:
    headers = login_as(_dispatcher_id(session))
    reply = client.post(
        "/api/v1/people", headers=headers, json={"display_name": "X", "phone": "bonjour"}
    )
    assert reply.status_code == 422
    assert "not a phone number" in reply.json()["message"]
    assert client.get("/api/v1/people", headers=headers).json()["total"] == 1  # the dispatcher


def test_people_listing_is_paginated_and_searchable(
    client: TestClient, session: Session, login_as: Login
) -> None:
    headers = login_as(_dispatcher_id(session))
    for n in range(7):
        make_resident(session, f"Voisin {n}", phone=f"06399800{n:02d}")
    session.commit()
    page = client.get("/api/v1/people?limit=3&offset=3", headers=headers).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (8, 3, 3, 3)
    found = client.get("/api/v1/people?q=Voisin 4", headers=headers).json()
    assert [p["display_name"] for p in found["items"]] == ["Voisin 4"]
    by_phone = client.get("/api/v1/people?q=639980005", headers=headers).json()
    assert [p["display_name"] for p in by_phone["items"]] == ["Voisin 5"]
    assert client.get("/api/v1/people?limit=1000", headers=headers).status_code == 422


def test_residents_cannot_list_people(
    client: TestClient, session: Session, login_as: Login
) -> None:
    resident = make_resident(session)
    session.commit()
    reply = client.get("/api/v1/people", headers=login_as(resident.id))
    assert reply.status_code == 403
    assert reply.json()["message"] == "this action is reserved to dispatchers"


def test_another_persons_record_is_not_found(
    client: TestClient, session: Session, login_as: Login
) -> None:
    alice = make_resident(session, "Alice", phone="0639980001")
    bob = make_resident(session, "Bob")
    session.commit()
    seen = client.get(f"/api/v1/people/{alice.id}", headers=login_as(bob.id))
    assert seen.status_code == 404
    assert "Alice" not in seen.text and "0639980001" not in seen.text
    own = client.get(f"/api/v1/people/{alice.id}", headers=login_as(alice.id)).json()
    assert own["phone"] == "+33639980001"


def test_resident_asks_for_help_and_reads_it_back(
    client: TestClient, session: Session, login_as: Login
) -> None:
    resident = make_resident(session, "Germaine")
    session.commit()
    reply = client.post(
        "/api/v1/requests",
        headers=login_as(resident.id),
        json={
            "requester_id": resident.id,
            "service": "errands",
            "details": "Pharmacie",
            "window_start": "2026-11-23T09:00:00+01:00",
            "window_end": "2026-11-23T12:00:00+01:00",
        },
    )
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["status"] == "open"
    assert body["place_text"].startswith(resident.addresses[0].street)
    assert [e["to_status"] for e in body["events"] if e["kind"] == "status"] == ["open"]


def test_request_validation_errors_are_clear(
    client: TestClient, session: Session, login_as: Login
) -> None:
    resident = make_resident(session)
    session.commit()
    headers = login_as(resident.id)
    cases = [
        ({"service": "juggling"}, "unknown service"),
        ({"service": "errands", "pay_mode": "cash"}, "needs price_cents"),
        ({"service": "errands", "window_start": "2026-11-23T09:00:00"}, "timezone"),
        (
            {
                "service": "errands",
                "window_start": "2026-11-23T12:00:00+01:00",
                "window_end": "2026-11-23T09:00:00+01:00",
            },
            "after window_start",
        ),
    ]
    for extra, message in cases:
        reply = client.post(
            "/api/v1/requests", headers=headers, json={"requester_id": resident.id, **extra}
        )
        assert reply.status_code == 422, extra
        assert message in reply.json()["message"], reply.json()


def test_nobody_asks_for_help_in_someone_elses_name(
    client: TestClient, session: Session, login_as: Login
) -> None:
    alice, bob = make_resident(session), make_resident(session)
    session.commit()
    reply = client.post(
        "/api/v1/requests",
        headers=login_as(bob.id),
        json={"requester_id": alice.id, "service": "errands"},
    )
    assert reply.status_code == 403


def test_helper_sees_exact_address_and_phone_only_once_assigned(
    client: TestClient, session: Session, login_as: Login
) -> None:
    requester = make_resident(session, "Germaine", phone="0478000001", lat=45.7745, lon=4.8320)
    helper = make_helper(session, "Karim", lat=45.7790, lon=4.8320)
    stranger = make_helper(session, "Inconnu")
    request = make_request(session, requester)
    transition(session, request, RequestStatus.offered)
    session.add(
        Offer(request_id=request.id, helper_id=helper.id, rank=1, score=0.9, expires_at=utcnow())
    )
    session.commit()

    offered = client.get(f"/api/v1/requests/{request.id}", headers=login_as(helper.id))
    assert offered.status_code == 200
    seen = offered.json()
    assert "place_text" not in seen and "requester_phone" not in seen and "lat" not in seen
    assert seen["neighbourhood"] == "Presqu'île"
    assert seen["approx_distance_km"] == 0.5
    assert (
        client.get(f"/api/v1/requests/{request.id}", headers=login_as(stranger.id)).status_code
        == 404
    )

    request = get_request(session, request.id)
    request.helper_id = helper.id
    transition(session, request, RequestStatus.assigned)
    session.commit()
    assigned = client.get(f"/api/v1/requests/{request.id}", headers=login_as(helper.id)).json()
    assert assigned["requester_phone"] == "+33478000001"
    assert assigned["place_text"].startswith(requester.addresses[0].street)


def test_request_listing_shows_each_person_their_own(
    client: TestClient, session: Session, login_as: Login
) -> None:
    alice, bob = make_resident(session), make_resident(session)
    for _ in range(3):
        make_request(session, alice)
    make_request(session, bob)
    session.commit()
    mine = client.get("/api/v1/requests", headers=login_as(bob.id)).json()
    assert mine["total"] == 1
    everyone = client.get(
        "/api/v1/requests?status=open", headers=login_as(_dispatcher_id(session))
    ).json()
    assert everyone["total"] == 4
