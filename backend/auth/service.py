"""Logging in with a password, issuing and resolving bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.auth.models import AuthToken
from backend.auth.passwords import verify_password
from backend.db import utcnow
from backend.people.models import Person, PersonStatus

TOKEN_TTL = timedelta(hours=12)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(session: Session, login: str, password: str) -> Person | None:
    person = session.scalar(select(Person).where(Person.login == login))
    # Verify even for an unknown login would be nicer against timing probes; argon2's cost
    # dominates either way, so an unknown login is answered after a dummy verification.
    if person is None:
        verify_password(None, password)
        return None
    if not verify_password(person.password_hash, password):
        return None
    if person.status != PersonStatus.active:
        return None
    return person


def issue_token(
    session: Session, person: Person, *, label: str = "", ttl: timedelta = TOKEN_TTL
) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + ttl
    session.add(
        AuthToken(
            token_hash=_digest(token), person_id=person.id, label=label, expires_at=expires_at
        )
    )
    session.flush()
    return token, expires_at


def resolve_token(session: Session, token: str) -> Person | None:
    row = session.get(AuthToken, _digest(token))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    person = session.get(Person, row.person_id)
    if person is None or person.status != PersonStatus.active:
        return None
    return person


def revoke_token(session: Session, token: str) -> None:
    row = session.get(AuthToken, _digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def revoke_all_tokens(session: Session, person_id: int, *, now: datetime | None = None) -> int:
    """Ends every session of a person (a suspension); returns how many were live."""
    result = session.execute(
        update(AuthToken)
        .where(AuthToken.person_id == person_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
