"""`coupdemain admin ...`: staff accounts on the database at COUPDEMAIN_DATABASE_URL, for the
first dispatcher or admin of a real installation (the API needs one to log in at all)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from coupdemain.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")

admin_app = typer.Typer(no_args_is_help=True, help="Staff accounts: dispatchers and admins.")


class StaffRole(StrEnum):
    dispatcher = "dispatcher"
    admin = "admin"


PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="read the password from the first line of standard input"
    ),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        typer.prompt(
            "Mot de passe (password)",
            hide_input=True,
            confirmation_prompt="Encore une fois (repeat)",
        )
    )


def _refuse(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


@admin_app.command("create")
def admin_create(
    login: Annotated[str, typer.Option(help="what the person types to log in")],
    role: Annotated[StaffRole, typer.Option(help="dispatcher or admin")],
    name: Annotated[str | None, typer.Option(help="full name (default: the login)")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a dispatcher or admin account (migrating the database first)."""
    from backend.people.models import Role
    from backend.people.staff import create_staff

    password = _password(password_stdin)

    def create(session: Session) -> str:
        person = create_staff(
            session, login=login, role=Role(role.value), password=password, display_name=name
        )
        return f"{person.display_name} ({login}, {role.value}, n° {person.id})"

    shown = _with_new_password(login, password, create)
    typer.echo(f"Compte créé : {shown}.\nAccount created: {shown}; log in at /console.")


@admin_app.command("set-password")
def admin_set_password(
    login: Annotated[str, typer.Argument(help="the account's login")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Give an account a new password; its open sessions end."""
    from backend.people.staff import set_staff_password

    password = _password(password_stdin)
    _with_new_password(
        login, password, lambda session: set_staff_password(session, login=login, password=password)
    )
    typer.echo(
        f"Mot de passe changé pour {login}.\nPassword changed for {login}; "
        "its open sessions have ended."
    )


def _with_new_password(login: str, password: str, action: Callable[[Session], T]) -> T:
    """The password checked before the database is touched, then `action` in one transaction
    on the migrated database; a refusal of the domain is said and exits 2."""
    from backend.db import make_engine, make_session_factory, transaction
    from backend.errors import DomainError
    from backend.people.staff import check_staff_password
    from coupdemain.bootstrap import prepare_database

    try:
        check_staff_password(login, password)
    except DomainError as exc:
        raise _refuse(exc.message) from None
    settings = Settings()
    prepare_database(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            return action(session)
    except DomainError as exc:
        raise _refuse(exc.message) from None
    finally:
        engine.dispose()
