"""Every console route, found in the app itself (so a page added later is covered without
editing this file), refuses strangers and people who are neither dispatchers nor admins."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import backend.models  # noqa: F401
from backend.db import Base
from backend.people.models import Role
from console.app import PAGES
from console.web import PREFIX
from tests.console.console_helpers import make_staff

OPEN = {("GET", "/console/login"), ("POST", "/console/login"), ("GET", "/console")}


def console_routes(_client: TestClient) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for route in page.router.routes:
            assert isinstance(route, APIRoute)
            path = PREFIX + re.sub(r"{[^}]+}", "1", route.path)
            found += [(method, path) for method in sorted(route.methods) if method != "HEAD"]
    return [r for r in found if r not in OPEN]


def row_counts(session: Session) -> dict[str, int]:
    session.rollback()
    counts = {
        t.name: session.scalar(select(func.count()).select_from(t)) or 0
        for t in Base.metadata.sorted_tables
    }
    session.rollback()
    return counts


def test_the_console_has_pages_and_actions_to_protect(client: TestClient) -> None:
    routes = console_routes(client)
    assert len([r for r in routes if r[0] == "GET"]) >= 8
    assert len([r for r in routes if r[0] == "POST"]) >= 10


@pytest.mark.parametrize("role", [None, Role.resident, Role.helper])
def test_every_page_and_action_refuses_who_may_not_use_the_console(
    client: TestClient, session: Session, login_as: object, role: Role | None
) -> None:
    if role is not None:
        person = make_staff(session, f"someone-{role}", role=role)
        token = login_as(person.id)["Authorization"].removeprefix("Bearer ")  # type: ignore[operator]
        client.cookies.set("cdm_session", token)
    before = row_counts(session)
    for method, path in console_routes(client):
        reply = client.request(
            method,
            path,
            data={"csrf": "x", "text": "bonjour", "amount": "10"},
            follow_redirects=False,
        )
        if role is not None:
            assert reply.status_code == 403, (method, path, reply.status_code)
            assert "réservée aux opérateurs" in reply.text
        elif method == "GET":
            assert reply.status_code == 303, (method, path, reply.status_code)
            assert reply.headers["location"].startswith("/console/login?next=")
        else:
            assert reply.status_code == 401, (method, path, reply.status_code)
    assert row_counts(session) == before  # refused means: nothing written


def test_a_dispatcher_reaches_every_page(client: TestClient, session: Session) -> None:
    from tests.console.console_helpers import log_in

    make_staff(session, "claire")
    log_in(client, "claire")
    for method, path in console_routes(client):
        if method == "GET" and "stream" not in path and "{" not in path and "/1" not in path:
            reply = client.get(path)
            assert reply.status_code == 200, (path, reply.status_code, reply.text[:300])
