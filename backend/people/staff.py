"""Staff accounts (dispatchers and admins): created and given a new password from the command
line, outside the API, so that the first of them can exist before anyone can log in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.passwords import hash_password
from backend.auth.service import revoke_all_tokens
from backend.errors import Conflict, InvalidInput, NotFound
from backend.people.models import Person, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person

STAFF_ROLES = (Role.dispatcher, Role.admin)
MIN_PASSWORD_LENGTH = 12


class WeakPassword(InvalidInput):
    code = "weak_password"


def check_staff_password(login: str, password: str) -> None:
    """Refuses a password a neighbour could guess; the message never repeats the password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au moins "
            f"(password too short: at least {MIN_PASSWORD_LENGTH} characters)"
        )
    if password.strip().casefold() == login.strip().casefold():
        raise WeakPassword(
            "le mot de passe ne peut pas être l'identifiant (the password cannot be the login)"
        )


def create_staff(
    session: Session, *, login: str, role: Role, password: str, display_name: str | None = None
) -> Person:
    """A dispatcher or an admin who logs in with `login`; refuses a taken login (Conflict)."""
    if role not in STAFF_ROLES:
        raise InvalidInput(f"a staff account is a dispatcher or an admin, not {role!r}")
    if not login or login != login.strip() or any(c.isspace() for c in login):
        raise InvalidInput(
            "un identifiant sans espaces, s'il vous plaît (a login without spaces, please)"
        )
    if session.scalar(select(Person.id).where(Person.login == login)) is not None:
        raise Conflict(f"l'identifiant « {login} » existe déjà (login {login!r} is taken)")
    check_staff_password(login, password)
    return create_person(
        session,
        PersonCreate(
            display_name=(display_name or login).strip() or login,
            roles=[role],
            login=login,
            password=password,
        ),
    )


def set_staff_password(session: Session, *, login: str, password: str) -> Person:
    """A new password for an account; its open sessions end, so an old token stops working."""
    person = session.scalar(select(Person).where(Person.login == login))
    if person is None:
        raise NotFound(f"aucun compte « {login} » (no account with login {login!r})")
    check_staff_password(login, password)
    person.password_hash = hash_password(password)
    revoke_all_tokens(session, person.id)
    session.flush()
    return person
