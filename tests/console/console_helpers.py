"""Logging in to the console as a browser does: the form, its CSRF cookie, the session cookie."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.people.models import Person, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person

PASSWORD = "correct horse battery"


def make_staff(session: Session, login: str, role: Role = Role.dispatcher) -> Person:
    person = create_person(
        session,
        PersonCreate(display_name=login.title(), roles=[role], login=login, password=PASSWORD),
    )
    session.commit()
    return person


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name!r} in the page"
    return found.group(1)


def log_in(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Logs the client in; returns the CSRF token the console's pages carry."""
    form = client.get("/console/login")
    reply = client.post(
        "/console/login",
        data={"username": login, "password": password, "csrf": hidden(form.text, "csrf")},
        follow_redirects=True,
    )
    assert reply.status_code == 200, reply.text
    return hidden(reply.text, "csrf")
