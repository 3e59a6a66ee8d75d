"""Fixtures the dispatch tests share."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from backend.people.models import PersonRole, Role
from tests.factories import make_resident


@pytest.fixture
def dispatcher(session: Session) -> int:
    """The id of a dispatcher (a resident who also has the dispatcher role)."""
    person = make_resident(session, "Régine Répartitrice")
    person.roles.append(PersonRole(role=Role.dispatcher))
    session.flush()
    return person.id
