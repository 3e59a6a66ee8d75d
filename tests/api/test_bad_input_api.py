"""Input the API cannot use gets a clear 4xx in its error shape, on SQLite and PostgreSQL alike,
and nothing is written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.people.models import Person, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from backend.requests.models import HelpRequest
from tests.factories import make_resident

Login = Callable[[int], dict[str, str]]


@pytest.fixture
def dispatcher(client: TestClient, session: Session, login_as: Login) -> dict[str, str]:
    person = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    session.commit()
    return login_as(person.id)


def _people(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Person)) or 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/requests/2147483648",
        "/api/v1/people/2147483648",
        "/api/v1/people/99999999999999999999",
        "/api/v1/ledger/accounts/2147483648",
        "/api/v1/conversations/9223372036854775808",
    ],
)
def test_an_id_past_the_column_range_is_a_clear_422(
    client: TestClient, dispatcher: dict[str, str], path: str
) -> None:
    reply = client.get(path, headers=dispatcher)

    assert reply.status_code == 422
    body = reply.json()
    assert body["error"] == "validation_error"
    assert "less than or equal to 2147483647" in body["message"]


def test_a_token_for_an_id_past_the_range_names_the_field(
    client: TestClient, dispatcher: dict[str, str]
) -> None:
    reply = client.post("/api/v1/auth/tokens/2147483648", headers=dispatcher)

    assert reply.status_code == 422
    assert reply.json()["details"][0]["field"] == "path.person_id"


def test_the_largest_id_the_column_holds_is_simply_not_found(
    client: TestClient, dispatcher: dict[str, str]
) -> None:
    reply = client.get("/api/v1/requests/2147483647", headers=dispatcher)
    assert reply.status_code == 404
    assert reply.json()["error"] == "not_found"


def test_an_id_past_the_range_in_a_body_is_422_and_nothing_is_created(
    client: TestClient, session: Session, dispatcher: dict[str, str]
) -> None:
    reply = client.post(
        "/api/v1/requests",
        headers=dispatcher,
        json={"requester_id": 2**31, "service": "errands", "details": "des courses"},
    )
    assert reply.status_code == 422
    assert reply.json()["details"][0]["field"] == "requester_id"
    assert session.scalar(select(func.count()).select_from(HelpRequest)) == 0


@pytest.mark.parametrize("offset", ["1000001", "9223372036854775808"])
def test_an_offset_past_the_bound_is_422(
    client: TestClient, dispatcher: dict[str, str], offset: str
) -> None:
    reply = client.get(f"/api/v1/people?offset={offset}", headers=dispatcher)
    assert reply.status_code == 422
    assert "offset" in reply.json()["message"]


@pytest.mark.parametrize("depth", [33, 100_000])
def test_json_nested_too_deep_is_422_with_a_clear_message_and_nothing_is_created(
    client: TestClient, session: Session, dispatcher: dict[str, str], depth: int
) -> None:
    before = _people(session)
    body = '{"display_name": "Germaine", "helper": ' + "[" * depth + "]" * depth + "}"

    reply = client.post(
        "/api/v1/people",
        headers={**dispatcher, "Content-Type": "application/json"},
        content=body,
    )

    assert reply.status_code == 422
    assert reply.json() == {
        "error": "too_deep",
        "message": "the JSON body nests deeper than 32 levels of arrays and objects",
    }
    assert _people(session) == before


def test_brackets_inside_strings_do_not_count_as_nesting(
    client: TestClient, dispatcher: dict[str, str]
) -> None:
    reply = client.post(
        "/api/v1/people", headers=dispatcher, json={"display_name": "[" * 100 + "Germaine"}
    )
    assert reply.status_code == 201, reply.text


def test_a_body_past_the_size_limit_is_413(
    client: TestClient, session: Session, dispatcher: dict[str, str]
) -> None:
    before = _people(session)
    reply = client.post(
        "/api/v1/people",
        headers={**dispatcher, "Content-Type": "application/json"},
        content=b'{"display_name": "' + b"x" * 1_000_001 + b'"}',
    )
    assert reply.status_code == 413
    assert reply.json()["error"] == "too_large"
    assert _people(session) == before


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "/api/v1/people?q=%00", None),
        ("POST", "/api/v1/people", {"display_name": "Germaine\u0000"}),
    ],
)
def test_the_nul_character_is_refused_on_both_databases(
    client: TestClient,
    session: Session,
    dispatcher: dict[str, str],
    method: str,
    path: str,
    payload: dict[str, str] | None,
) -> None:
    before = _people(session)
    reply = client.request(method, path, headers=dispatcher, json=payload)
    assert reply.status_code == 422
    assert reply.json()["error"] == "nul_character"
    assert _people(session) == before


def test_a_login_with_a_nul_character_is_refused_not_a_crash(client: TestClient) -> None:
    reply = client.post("/api/v1/auth/token", data={"username": "\u0000", "password": "x"})
    assert reply.status_code == 422
    assert reply.json()["error"] == "nul_character"


def test_an_unknown_path_answers_in_the_api_error_shape(client: TestClient) -> None:
    reply = client.get("/api/v1/nowhere")
    assert reply.status_code == 404
    assert reply.json() == {"error": "not_found", "message": "Not Found"}


def test_the_openapi_document_describes_the_refusals_the_handlers_send(
    client: TestClient, session: Session, login_as: Login
) -> None:
    document = client.get("/openapi.json").json()
    read_person = document["paths"]["/api/v1/people/{person_id}"]["get"]
    error_schema = {"$ref": "#/components/schemas/ErrorOut"}
    for status in ("401", "403", "404", "422"):
        content = read_person["responses"][status]["content"]["application/json"]
        assert content["schema"] == error_schema
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"error", "message"}
    (id_param,) = read_person["parameters"]
    assert id_param["schema"]["maximum"] == 2147483647

    resident = make_resident(session)
    session.commit()
    refused = client.get("/api/v1/people?limit=0", headers=login_as(resident.id))
    assert refused.status_code == 403
    assert set(refused.json()) <= set(document["components"]["schemas"]["ErrorOut"]["properties"])
