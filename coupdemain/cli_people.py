"""`coupdemain people export|erase ID` and `coupdemain privacy purge`: the GDPR rights and
the retention purge by hand. Thin: the work is in backend/privacy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coupdemain.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

people_app = typer.Typer(no_args_is_help=True)
privacy_app = typer.Typer(no_args_is_help=True)

PersonId = Annotated[int, typer.Argument(help="the person's id (see the console's Personnes)")]


def _factory(settings: Settings) -> sessionmaker[Session]:
    from backend.db import make_engine, make_session_factory
    from coupdemain.bootstrap import prepare_database

    prepare_database(settings)
    return make_session_factory(make_engine(settings.resolved_database_url))


def _unknown(person_id: int) -> typer.Exit:
    typer.echo(f"No person with id {person_id}.", err=True)
    return typer.Exit(2)


@people_app.command("export")
def export(
    person_id: PersonId,
    out: Annotated[Path | None, typer.Option("--out", help="write to this file")] = None,
) -> None:
    """Everything held on a person, as JSON (GDPR right of access)."""
    from backend.db import transaction
    from backend.errors import NotFound
    from backend.privacy import export_person

    try:
        with transaction(_factory(Settings())) as session:
            data = export_person(session, person_id)
    except NotFound:
        raise _unknown(person_id) from None
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    typer.echo(f"exported person {person_id} to {out}", err=True)


@people_app.command("erase")
def erase(
    person_id: PersonId,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Erase a person's personal data (GDPR right to erasure); history stays, anonymous."""
    from backend.db import transaction
    from backend.errors import NotFound
    from backend.people.models import Person
    from backend.privacy import erase_person

    factory = _factory(Settings())
    with factory() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise _unknown(person_id)
        name = person.display_name
    if not yes and not typer.confirm(
        f"Erase {name} (#{person_id})? Their personal data cannot be brought back.",
        default=False,
    ):
        typer.echo("Nothing erased.", err=True)
        raise typer.Exit(1)
    try:
        with transaction(factory) as session:
            report = erase_person(session, person_id)
    except NotFound:
        raise _unknown(person_id) from None
    for line in report.lines():
        typer.echo(line)
    if not report.already_erased:
        typer.echo(f"person {person_id} erased")


@privacy_app.command("purge")
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="count, change nothing")] = False,
) -> None:
    """Delete transcripts and call data older than COUPDEMAIN_RETENTION_*_DAYS, now."""
    from backend.db import transaction, utcnow
    from backend.privacy import purge as run_purge
    from coupdemain.workers import retention_policy

    settings = Settings()
    policy = retention_policy(settings)
    with transaction(_factory(settings)) as session:
        report = run_purge(session, policy, utcnow(), dry_run=dry_run)
    typer.echo(
        f"retention: transcripts {policy.transcript_days} days, calls {policy.call_days} days"
    )
    for line in report.lines():
        typer.echo(line)
