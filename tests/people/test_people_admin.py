"""Dispatchers' work on people, in the service both the REST API and the console call:
search, verifying a helper, suspending and reinstating."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import AuthToken
from backend.auth.service import issue_token, resolve_token
from backend.errors import Conflict
from backend.people.models import PersonStatus, Role
from backend.people.schemas import PersonCreate
from backend.people.service import (
    create_person,
    reinstate_person,
    search_people,
    suspend_person,
    verify_helper_profile,
)
from tests.factories import make_helper, make_resident

FIRST = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _names(session: Session, **filters: object) -> list[str]:
    people, _ = search_people(session, **filters)  # type: ignore[arg-type]
    return [p.display_name for p in people]


def test_a_phone_is_found_however_it_is_typed(session: Session) -> None:
    make_resident(session, "Odette", phone="+33465718939")
    make_resident(session, "Paul", phone="+33612345678")
    for typed in ("04 65 71 89 39", "04.65.71.89.39", "+33 4 65 71 89 39", "0033465718939"):
        assert _names(session, q=typed) == ["Odette"], typed
    assert _names(session, q="65 71") == ["Odette"]
    assert _names(session, q="06 12") == ["Paul"]  # the national 0 stands for +33


def test_a_search_for_a_wildcard_is_literal(session: Session) -> None:
    make_resident(session, "Jeanne")
    make_resident(session, "Jean_ne")
    assert _names(session, q="n_n") == ["Jean_ne"]
    assert _names(session, q="%") == []


def test_filters_and_the_total(session: Session) -> None:
    make_resident(session, "Jeanne")
    make_helper(session, "Karim")
    gaston = make_resident(session, "Gaston")
    gaston.status = PersonStatus.suspended
    people, total = search_people(session, role=Role.resident, status=PersonStatus.active)
    assert [p.display_name for p in people] == ["Jeanne", "Karim"] and total == 2
    people, total = search_people(session, limit=1, offset=1)
    assert [p.display_name for p in people] == ["Karim"] and total == 3


def test_verifying_a_helper_keeps_the_first_date(session: Session) -> None:
    karim = make_helper(session, "Karim")
    verify_helper_profile(session, karim.id, now=FIRST)
    verify_helper_profile(session, karim.id)
    assert karim.helper_profile is not None and karim.helper_profile.verified_at == FIRST
    jeanne = make_resident(session, "Jeanne")
    with pytest.raises(Conflict) as refused:
        verify_helper_profile(session, jeanne.id)
    assert refused.value.details["reason"] == "no_helper_profile"


def test_suspending_revokes_every_token_for_good(session: Session) -> None:
    desk = create_person(session, PersonCreate(display_name="Desk", roles=[Role.dispatcher]))
    jeanne = make_resident(session, "Jeanne")
    phone_app, _ = issue_token(session, jeanne, label="api")
    console, _ = issue_token(session, jeanne, label="console")
    theirs, _ = issue_token(session, desk, label="console")

    suspend_person(session, jeanne.id, actor_id=desk.id, now=FIRST)
    assert jeanne.status == PersonStatus.suspended
    revoked = session.scalars(select(AuthToken).where(AuthToken.person_id == jeanne.id)).all()
    assert [t.revoked_at for t in revoked] == [FIRST, FIRST]

    reinstate_person(session, jeanne.id)
    assert jeanne.status == PersonStatus.active
    assert resolve_token(session, phone_app) is None and resolve_token(session, console) is None
    assert resolve_token(session, theirs) is desk  # nobody else's session ends


def test_nobody_suspends_themselves(session: Session) -> None:
    desk = create_person(session, PersonCreate(display_name="Desk", roles=[Role.dispatcher]))
    with pytest.raises(Conflict) as refused:
        suspend_person(session, desk.id, actor_id=desk.id)
    assert refused.value.details["reason"] == "suspend_self"
    assert desk.status == PersonStatus.active
