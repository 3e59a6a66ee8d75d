"""Personal data over the REST API: a helper offered a job reads it with the details masked
and without the exact place; once assigned, everything; people see only themselves and the
other party of a job under way; anyone else is answered 404 as for an id that does not
exist (DESIGN.md, personal data)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.people.models import PersonRole, Role
from tests.factories import make_helper, make_request, make_resident

Login = Callable[[int], dict[str, str]]

DETAILS = (
    "Digicode 4512B, 3e étage, porte gauche. Si je ne réponds pas, appelez mon fils au "
    "06 12 34 56 78. Les courses sont à déposer au 14 rue Dumenge chez ma voisine."
)
SECRETS = ("4512", "06 12 34 56 78", "14 rue Dumenge", "3e étage")


@dataclass
class Job:
    request_id: int
    requester: int
    helper: int
    stranger: int
    dispatcher: int
    offer_id: int


@pytest.fixture
def job(client: TestClient, session: Session, login_as: Login) -> Job:
    """Germaine's request offered by a dispatcher, through the API, to Karim (not yet
    accepted); Inès is a neighbour with no part in it."""
    requester = make_resident(session, "Germaine Roux", phone="0478000001")
    helper = make_helper(session, "Karim Benali", phone="0639980001")
    stranger = make_resident(session, "Inès Morel", phone="0639980002")
    dispatcher = make_resident(session, "Nadia")
    dispatcher.roles.append(PersonRole(role=Role.dispatcher))
    request = make_request(session, requester, details=DETAILS)
    session.commit()
    dispatched = client.post(
        f"/api/v1/requests/{request.id}/dispatch", headers=login_as(dispatcher.id)
    )
    assert dispatched.status_code == 200, dispatched.text
    offers = dispatched.json()["offers"]
    assert [o["helper_id"] for o in offers] == [helper.id]
    return Job(request.id, requester.id, helper.id, stranger.id, dispatcher.id, offers[0]["id"])


def _get(client: TestClient, login_as: Login, viewer: int, path: str) -> Any:
    return client.get(f"/api/v1{path}", headers=login_as(viewer))


def _accept(client: TestClient, login_as: Login, job: Job) -> None:
    reply = client.post(f"/api/v1/offers/{job.offer_id}/accept", headers=login_as(job.helper))
    assert reply.status_code == 200, reply.text


def test_offered_helper_reads_the_request_with_its_details_masked(
    client: TestClient, login_as: Login, job: Job
) -> None:
    seen = _get(client, login_as, job.helper, f"/requests/{job.request_id}")
    assert seen.status_code == 200
    body = seen.json()
    assert body["service"] == "errands" and body["neighbourhood"] == "Presqu'île"
    assert body["details"].startswith("Digicode [masqué], [étage masqué], porte gauche.")
    assert "[numéro masqué]" in body["details"] and "[adresse masquée]" in body["details"]
    for secret in SECRETS:
        assert secret not in seen.text
    assert not {"place_text", "lat", "lon", "requester_phone", "safety_word"} & set(body)
    listed = _get(client, login_as, job.helper, "/requests").json()["items"]
    assert [r["details"] for r in listed] == [body["details"]]


def test_assigned_helper_reads_the_whole_details_address_and_phone(
    client: TestClient, login_as: Login, job: Job
) -> None:
    _accept(client, login_as, job)
    body = _get(client, login_as, job.helper, f"/requests/{job.request_id}").json()
    assert body["details"] == DETAILS
    assert body["place_text"].endswith("rue de la République, 69002 Lyon")
    assert body["requester_phone"] == "+33478000001"
    assert body["safety_word"]
    listed = _get(client, login_as, job.helper, "/requests").json()["items"]
    assert [r["details"] for r in listed] == [DETAILS]


def test_requester_and_dispatcher_read_the_whole_request(
    client: TestClient, login_as: Login, job: Job
) -> None:
    for viewer in (job.requester, job.dispatcher):
        body = _get(client, login_as, viewer, f"/requests/{job.request_id}").json()
        assert body["details"] == DETAILS
        assert body["requester_phone"] == "+33478000001"
        listed = _get(client, login_as, viewer, "/requests").json()["items"]
        assert [r["details"] for r in listed] == [DETAILS]


def test_unrelated_resident_gets_the_404_of_a_request_that_does_not_exist(
    client: TestClient, login_as: Login, job: Job
) -> None:
    hidden = _get(client, login_as, job.stranger, f"/requests/{job.request_id}")
    missing = _get(client, login_as, job.stranger, "/requests/999999")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["error"] == missing.json()["error"] == "not_found"
    assert hidden.json()["message"] == f"help request {job.request_id} not found"
    assert _get(client, login_as, job.stranger, "/requests").json()["total"] == 0


def test_people_are_hidden_from_each_other_until_the_job_is_given(
    client: TestClient, login_as: Login, job: Job
) -> None:
    for viewer, other in (
        (job.helper, job.requester),
        (job.requester, job.helper),
        (job.stranger, job.requester),
        (job.stranger, job.helper),
    ):
        reply = _get(client, login_as, viewer, f"/people/{other}")
        assert reply.status_code == 404, (viewer, other)
        assert reply.json()["message"] == f"person {other} not found"
    assert _get(client, login_as, job.stranger, "/people/999999").json()["message"] == (
        "person 999999 not found"
    )


def test_assigned_helper_sees_the_requester_as_the_job_needs_and_no_more(
    client: TestClient, login_as: Login, job: Job
) -> None:
    _accept(client, login_as, job)
    requester = _get(client, login_as, job.helper, f"/people/{job.requester}").json()
    assert requester["display_name"] == "Germaine Roux"
    assert requester["phone"] == "+33478000001"
    assert requester["address"]["street"].endswith("rue de la République")
    assert not {"telegram_id", "roles", "helper", "status", "created_at"} & set(requester)

    helper = _get(client, login_as, job.requester, f"/people/{job.helper}").json()
    assert helper == {
        "id": job.helper,
        "display_name": "Karim Benali",
        "language": "fr",
        "phone": None,
        "address": None,
    }
    assert _get(client, login_as, job.stranger, f"/people/{job.helper}").status_code == 404


def test_the_counterpart_view_ends_with_the_job(
    client: TestClient, login_as: Login, job: Job
) -> None:
    _accept(client, login_as, job)
    done = client.post(f"/api/v1/requests/{job.request_id}/complete", headers=login_as(job.helper))
    assert done.status_code == 200, done.text
    assert _get(client, login_as, job.helper, f"/people/{job.requester}").status_code == 404
    assert _get(client, login_as, job.requester, f"/people/{job.helper}").status_code == 404


def test_dispatcher_and_oneself_see_the_whole_record(
    client: TestClient, login_as: Login, job: Job
) -> None:
    for viewer in (job.dispatcher, job.requester):
        record = _get(client, login_as, viewer, f"/people/{job.requester}").json()
        assert record["phone"] == "+33478000001"
        assert record["address"]["city"] == "Lyon"
        assert record["roles"] == ["resident"]
