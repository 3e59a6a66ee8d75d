"""Typed FastAPI dependencies shared by every router.

The session factory is put on `app.state` by the composition root; each request runs in one
transaction that commits when the endpoint returns (scope="function": before the response is
sent, so a failed commit is an error response, not a silent loss).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from backend.auth.service import resolve_token
from backend.errors import DomainError
from backend.pagination import MAX_LIMIT, MAX_OFFSET
from backend.people.models import Person, Role


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class NotAllowed(DomainError):
    status_code = 403
    code = "forbidden"


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False)


def current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Person:
    if credentials is None:
        raise NotAuthenticated("authentication required: send 'Authorization: Bearer <token>'")
    person = resolve_token(session, credentials.credentials)
    if person is None:
        raise NotAuthenticated("invalid or expired token")
    return person


CurrentUser = Annotated[Person, Depends(current_user)]


def require_dispatcher(user: CurrentUser) -> Person:
    if not user.has_role(Role.dispatcher, Role.admin):
        raise NotAllowed("this action is reserved to dispatchers")
    return user


DispatcherUser = Annotated[Person, Depends(require_dispatcher)]


def require_admin(user: CurrentUser) -> Person:
    if not user.has_role(Role.admin):
        raise NotAllowed("this action is reserved to administrators")
    return user


AdminUser = Annotated[Person, Depends(require_admin)]


class Page(BaseModel):
    limit: int
    offset: int


def pagination(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(pagination)]
