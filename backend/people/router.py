"""People: dispatchers manage everyone; a person reads and edits themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api_deps import CurrentUser, DispatcherUser, NotAllowed, PageDep, SessionDep
from backend.pagination import PageOf
from backend.people.models import PersonStatus, Role
from backend.people.schemas import HelperProfileIn, PersonCounterpart, PersonCreate, PersonOut
from backend.people.service import (
    create_person,
    get_person,
    reinstate_person,
    search_people,
    set_helper_profile,
    suspend_person,
    to_out,
    verify_helper_profile,
)
from backend.people.visibility import person_view
from backend.validation import DbId

router = APIRouter(prefix="/people", tags=["people"])


@router.post("", response_model=PersonOut, status_code=201)
def create(session: SessionDep, data: PersonCreate, _dispatcher: DispatcherUser) -> PersonOut:
    return to_out(create_person(session, data))


@router.get("", response_model=PageOf[PersonOut])
def search(
    session: SessionDep,
    _dispatcher: DispatcherUser,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=100, description="name or phone")] = None,
    role: Role | None = None,
    status: PersonStatus | None = None,
) -> PageOf[PersonOut]:
    rows, total = search_people(
        session, q=q, role=role, status=status, limit=page.limit, offset=page.offset
    )
    return PageOf[PersonOut](
        items=[to_out(p) for p in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/me", response_model=PersonOut)
def read_me(user: CurrentUser) -> PersonOut:
    return to_out(user)


@router.get("/{person_id}", response_model=PersonOut | PersonCounterpart)
def read(session: SessionDep, person_id: DbId, user: CurrentUser) -> PersonOut | PersonCounterpart:
    """Oneself, or anyone for dispatchers; the other party of a job under way as the job
    needs them (the helper going there: the requester's phone and the job's address); anyone
    else is 404, as for an id that does not exist."""
    return person_view(session, user, person_id)


@router.put("/{person_id}/helper-profile", response_model=PersonOut)
def put_helper_profile(
    session: SessionDep, person_id: DbId, data: HelperProfileIn, user: CurrentUser
) -> PersonOut:
    if person_id != user.id and not user.has_role(Role.dispatcher, Role.admin):
        raise NotAllowed("you may only edit your own helper profile")
    person = get_person(session, person_id)
    set_helper_profile(session, person, data)
    return to_out(person)


@router.post("/{person_id}/verify-helper", response_model=PersonOut)
def verify_helper(session: SessionDep, person_id: DbId, _dispatcher: DispatcherUser) -> PersonOut:
    return to_out(verify_helper_profile(session, person_id))


@router.post("/{person_id}/suspend", response_model=PersonOut)
def suspend(session: SessionDep, person_id: DbId, dispatcher: DispatcherUser) -> PersonOut:
    return to_out(suspend_person(session, person_id, actor_id=dispatcher.id))


@router.post("/{person_id}/reinstate", response_model=PersonOut)
def reinstate(session: SessionDep, person_id: DbId, _dispatcher: DispatcherUser) -> PersonOut:
    return to_out(reinstate_person(session, person_id))
