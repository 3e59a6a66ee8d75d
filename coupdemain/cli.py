"""The `coupdemain` command line: one Typer app, one sub-app per area."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from coupdemain.cli_nlu import nlu_app
from coupdemain.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Coup de main: neighbourhood mutual aid.")
app.add_typer(nlu_app, name="nlu", help="Intent models: train, test, parse, export to Rasa.")

db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic migrations).")
app.add_typer(db_app, name="db")

demo_app = typer.Typer(no_args_is_help=True, help="The deterministic demo neighbourhood.")
app.add_typer(demo_app, name="demo")


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )


@app.command()
def serve(
    demo: Annotated[bool, typer.Option(help="fresh SQLite database seeded with demo data")] = False,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """The web app (REST API, webhooks, console) with the outbox and jobs workers."""
    import uvicorn

    from coupdemain.app import create_app
    from coupdemain.bootstrap import prepare_database, prepare_demo

    settings = Settings()
    _setup_logging(settings)
    if demo:
        settings = prepare_demo(settings, port=port, host=host)
    else:
        prepare_database(settings)
    base = f"http://{host}:{port}"
    typer.echo(f"Coup de main on {base}  (API docs: {base}/docs, health: {base}/healthz)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower())


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring the database at COUPDEMAIN_DATABASE_URL to the latest schema."""
    from coupdemain.bootstrap import prepare_database

    settings = Settings()
    prepare_database(settings, revision=revision)
    typer.echo(f"database upgraded to {revision}")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("-m", help="what the migration changes")],
) -> None:
    """Autogenerate a migration from the models (developers)."""
    from backend.migrations.runner import make_revision

    make_revision(Settings().resolved_database_url, message)


@demo_app.command("people")
def demo_people(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Who is in the demo: names, roles, phones, Telegram ids, addresses, staff logins."""
    from coupdemain.demo import demo_identities, render_people_table

    identities = demo_identities()
    typer.echo(identities.model_dump_json(indent=2) if as_json else render_people_table(identities))


def main() -> None:
    app()
