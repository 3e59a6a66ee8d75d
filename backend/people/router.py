"""People: dispatchers manage everyone; a person reads and edits themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import or_, select

from backend.api_deps import CurrentUser, DispatcherUser, NotAllowed, PageDep, SessionDep
from backend.db import utcnow
from backend.pagination import PageOf, paginate
from backend.people.models import ContactPoint, Person, PersonRole, PersonStatus, Role
from backend.people.schemas import HelperProfileIn, PersonCreate, PersonOut, PersonPublic
from backend.people.service import (
    create_person,
    get_person,
    set_helper_profile,
    to_out,
    to_public,
)

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
) -> PageOf[PersonOut]:
    stmt = select(Person).order_by(Person.id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                Person.display_name.ilike(like),
                Person.id.in_(select(ContactPoint.person_id).where(ContactPoint.value.like(like))),
            )
        )
    if role:
        stmt = stmt.where(
            Person.id.in_(select(PersonRole.person_id).where(PersonRole.role == role))
        )
    rows, total = paginate(session, stmt, page.limit, page.offset)
    return PageOf[PersonOut](
        items=[to_out(p) for p in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/me", response_model=PersonOut)
def read_me(user: CurrentUser) -> PersonOut:
    return to_out(user)


@router.get("/{person_id}", response_model=PersonOut | PersonPublic)
def read(session: SessionDep, person_id: int, user: CurrentUser) -> PersonOut | PersonPublic:
    person = get_person(session, person_id)
    if person.id == user.id or user.has_role(Role.dispatcher, Role.admin):
        return to_out(person)
    return to_public(person)


@router.put("/{person_id}/helper-profile", response_model=PersonOut)
def put_helper_profile(
    session: SessionDep, person_id: int, data: HelperProfileIn, user: CurrentUser
) -> PersonOut:
    if person_id != user.id and not user.has_role(Role.dispatcher, Role.admin):
        raise NotAllowed("you may only edit your own helper profile")
    person = get_person(session, person_id)
    set_helper_profile(session, person, data)
    return to_out(person)


@router.post("/{person_id}/verify-helper", response_model=PersonOut)
def verify_helper(session: SessionDep, person_id: int, _dispatcher: DispatcherUser) -> PersonOut:
    person = get_person(session, person_id)
    if person.helper_profile is None:
        raise NotAllowed("this person has no helper profile to verify")
    person.helper_profile.verified_at = person.helper_profile.verified_at or utcnow()
    return to_out(person)


@router.post("/{person_id}/suspend", response_model=PersonOut)
def suspend(session: SessionDep, person_id: int, _dispatcher: DispatcherUser) -> PersonOut:
    person = get_person(session, person_id)
    person.status = PersonStatus.suspended
    return to_out(person)


@router.post("/{person_id}/reinstate", response_model=PersonOut)
def reinstate(session: SessionDep, person_id: int, _dispatcher: DispatcherUser) -> PersonOut:
    person = get_person(session, person_id)
    person.status = PersonStatus.active
    return to_out(person)
