from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.db import utcnow
from tests.factories import CENTRE, make_resident

Login = Callable[[int], dict[str, str]]


def test_a_neighbour_posts_and_finds_a_listing_near_a_point(
    client: TestClient, session: Session, login_as: Login
) -> None:
    author = make_resident(session, "Lucie Bernard")
    session.commit()
    headers = login_as(author.id)
    posted = client.post(
        "/api/v1/listings",
        headers=headers,
        json={
            "kind": "group_purchase",
            "title": "Paniers de légumes des Monts du Lyonnais",
            "service": "errands",
            "expires_at": (utcnow() + timedelta(days=5)).isoformat(),
        },
    )
    assert posted.status_code == 201, posted.text
    body = posted.json()
    assert body["author_first_name"] == "Lucie"
    assert body["status"] == "active"

    found = client.get(
        "/api/v1/listings",
        headers=headers,
        params={"near": f"{CENTRE[0]},{CENTRE[1]}", "radius_km": 1, "kind": "group_purchase"},
    )
    assert found.status_code == 200, found.text
    page = found.json()
    assert page["total"] == 1
    assert page["items"][0]["id"] == body["id"]
    assert page["items"][0]["distance_km"] == 0.0

    one = client.get(f"/api/v1/listings/{body['id']}", headers=headers)
    assert one.status_code == 200 and one.json()["title"].startswith("Paniers")


def test_bad_listing_input_gets_a_clear_422(
    client: TestClient, session: Session, login_as: Login
) -> None:
    author = make_resident(session)
    session.commit()
    headers = login_as(author.id)
    past = client.post(
        "/api/v1/listings",
        headers=headers,
        json={"kind": "offer", "title": "Perceuse", "expires_at": "2020-01-01T00:00:00+00:00"},
    )
    assert past.status_code == 422 and "future" in past.json()["message"]
    unknown = client.post(
        "/api/v1/listings", headers=headers, json={"kind": "yard_sale", "title": "x"}
    )
    assert unknown.status_code == 422 and unknown.json()["error"] == "validation_error"
    near = client.get("/api/v1/listings", headers=headers, params={"near": "lyon"})
    assert near.status_code == 422 and "lat,lon" in near.json()["message"]


def test_someone_else_cannot_close_my_listing(
    client: TestClient, session: Session, login_as: Login
) -> None:
    author = make_resident(session)
    other = make_resident(session)
    session.commit()
    posted = client.post(
        "/api/v1/listings", headers=login_as(author.id), json={"kind": "offer", "title": "Perceuse"}
    ).json()

    refused = client.post(f"/api/v1/listings/{posted['id']}/close", headers=login_as(other.id))
    assert refused.status_code == 403
    closed = client.post(f"/api/v1/listings/{posted['id']}/close", headers=login_as(author.id))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    listed = client.get("/api/v1/listings", headers=login_as(other.id)).json()
    assert listed["total"] == 0


def test_listings_need_a_login(client: TestClient) -> None:
    assert client.get("/api/v1/listings").status_code == 401
