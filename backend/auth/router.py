"""Log in (OAuth2 password form or JSON), log out, who am I."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from backend.api_deps import CurrentUser, DispatcherUser, NotAuthenticated, SessionDep
from backend.auth.deps import ClientAddress, ThrottleDep
from backend.auth.service import issue_token, revoke_token
from backend.auth.throttle import Throttled, log_in
from backend.errors import ErrorOut
from backend.people.schemas import PersonOut
from backend.people.service import get_person, to_out
from backend.validation import DbId

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


@router.post(
    "/token",
    response_model=TokenOut,
    summary="Log in with login and password",
    responses={
        429: {
            "model": ErrorOut,
            "description": "too many failed attempts for this login or from this address "
            "(too_many_attempts); the Retry-After header says in how many seconds to retry",
        }
    },
)
def login(
    session: SessionDep,
    throttle: ThrottleDep,
    address: ClientAddress,
    username: Annotated[str, Form(max_length=120)],
    password: Annotated[str, Form(max_length=200)],
) -> TokenOut | JSONResponse:
    person = log_in(session, throttle, username, password, address)
    if isinstance(person, Throttled):
        # Refused whatever the password: the answer must not tell a right guess apart.
        return JSONResponse(
            status_code=429,
            content={
                "error": "too_many_attempts",
                "message": f"too many login attempts; try again in {person.seconds} seconds",
                "details": {"retry_after_seconds": person.seconds},
            },
            headers={"Retry-After": str(person.seconds)},
        )
    if person is None:
        raise NotAuthenticated("wrong login or password")
    token, expires_at = issue_token(session, person, label="login")
    return TokenOut(access_token=token, expires_at=expires_at)


@router.post("/logout", status_code=204, summary="Revoke the token used for this request")
def logout(
    session: SessionDep,
    _user: CurrentUser,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(HTTPBearer())],
) -> None:
    revoke_token(session, credentials.credentials)


@router.get("/me", response_model=PersonOut)
def me(user: CurrentUser) -> PersonOut:
    return to_out(user)


@router.post(
    "/tokens/{person_id}",
    response_model=TokenOut,
    summary="Issue a token for a person (dispatchers: for a channel integration or support)",
)
def token_for(session: SessionDep, person_id: DbId, _dispatcher: DispatcherUser) -> TokenOut:
    token, expires_at = issue_token(session, get_person(session, person_id), label="issued")
    return TokenOut(access_token=token, expires_at=expires_at)
