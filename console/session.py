"""Who is at the console: a login session in an HttpOnly cookie, and CSRF protection.

The session is a bearer token of backend.auth (only its hash is stored, it expires, logout
revokes it), carried in a cookie instead of a header. The CSRF token of a session is an HMAC
of the session token: a page can embed it, a forged cross-site form cannot know it. Before
login, the login form itself is protected by a random double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from backend.api_deps import SessionDep
from backend.auth.service import resolve_token
from backend.people.models import Person, Role

SESSION_COOKIE = "cdm_session"
LOGIN_CSRF_COOKIE = "cdm_login_csrf"
LANGUAGE_COOKIE = "cdm_lang"
SESSION_TTL = timedelta(hours=10)  # one dispatcher's shift
CONSOLE_ROLES = (Role.dispatcher, Role.admin)


class LoginRequired(Exception):
    """No valid session: pages send the browser to the login form."""


class RoleRefused(Exception):
    """A valid session of someone who is neither a dispatcher nor an administrator."""


class CsrfRefused(Exception):
    """A form that did not come from one of our pages."""


@dataclass(frozen=True)
class ConsoleSession:
    """Plain values, not the ORM row: error pages render after the transaction has ended."""

    person_id: int
    name: str
    language: str
    roles: frozenset[str]
    token: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)


def csrf_for(token: str) -> str:
    return hmac.new(token.encode(), b"coupdemain-console-csrf", hashlib.sha256).hexdigest()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def resolve_console(session: Session, token: str | None) -> Person | None:
    """The person behind a session cookie if they may use the console, else None."""
    if not token:
        return None
    person = resolve_token(session, token)
    if person is None or not person.has_role(*CONSOLE_ROLES):
        return None
    return person


def console_session(request: Request, session: SessionDep) -> ConsoleSession:
    token = request.cookies.get(SESSION_COOKIE)
    person = resolve_token(session, token) if token else None
    if person is None:
        raise LoginRequired()
    if not person.has_role(*CONSOLE_ROLES):
        raise RoleRefused()
    staff = ConsoleSession(
        person.id, person.display_name, person.language, frozenset(person.role_names), token or ""
    )
    request.state.console = staff
    return staff


Staff = Annotated[ConsoleSession, Depends(console_session)]


def _same_origin(request: Request) -> bool:
    """Browsers send Origin on every POST; one from elsewhere is a cross-site form."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def check_csrf(request: Request, staff: Staff) -> ConsoleSession:
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not _same_origin(request) or not sent or not hmac.compare_digest(sent, staff.csrf):
        raise CsrfRefused()
    return staff


StaffAction = Annotated[ConsoleSession, Depends(check_csrf)]
