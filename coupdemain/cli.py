"""The `coupdemain` command line: one Typer app, one sub-app per area."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from coupdemain.cli_admin import admin_app
from coupdemain.cli_demo import demo_app
from coupdemain.cli_nlu import nlu_app
from coupdemain.cli_people import people_app, privacy_app
from coupdemain.cli_worker import worker
from coupdemain.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Coup de main: neighbourhood mutual aid.")
app.add_typer(nlu_app, name="nlu", help="Intent models: train, test, parse, export to Rasa.")

db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic migrations).")
app.add_typer(db_app, name="db")

app.add_typer(demo_app, name="demo")
app.add_typer(admin_app, name="admin")
app.add_typer(people_app, name="people", help="A person's data: export it (GDPR access), erase it.")
app.add_typer(privacy_app, name="privacy", help="Personal data retention: the purge, by hand.")
app.command("worker")(worker)


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    # httpx logs every request line at INFO: noise, and URLs that carry tokens.
    logging.getLogger("httpx").setLevel(logging.WARNING)


@app.command()
def chat(
    telegram_id: Annotated[
        int, typer.Option(help="who you are on Telegram (see: demo people)")
    ] = 5550001,
    name: Annotated[str, typer.Option(help="your Telegram first name")] = "Vous",
    language: Annotated[str, typer.Option(help="fr or en")] = "fr",
    demo: Annotated[bool, typer.Option(help="talk to the demo database (var/demo.db)")] = False,
) -> None:
    """A Telegram-like conversation in the terminal, on the real engine and database."""
    from backend.db import make_engine, make_session_factory
    from coupdemain.configuration import dispatch_config, engine_config
    from coupdemain.nlu_parser import build_parser
    from coupdemain.terminal_chat import TerminalChat
    from dialogues.engine import Engine

    settings = Settings()
    logging.basicConfig(level=logging.WARNING)
    from coupdemain.bootstrap import (
        DemoInUse,
        demo_is_seeded,
        demo_settings,
        hold_demo,
        prepare_database,
    )

    if demo:
        if not demo_is_seeded(settings):  # never an empty demo.db of our own
            typer.echo(
                "Pas encore de démo : lancez d'abord `make demo` dans un autre terminal.\n"
                "No demo data yet: start `make demo` (coupdemain serve --demo) in another "
                "terminal first.",
                err=True,
            )
            raise typer.Exit(2)
        try:
            hold_demo(settings)  # a reset refuses while we use the file
        except DemoInUse:
            typer.echo("La démo est en cours de réinitialisation (demo being reset).", err=True)
            raise typer.Exit(2) from None
        settings = demo_settings(settings)

    prepare_database(settings)
    factory = make_session_factory(make_engine(settings.resolved_database_url))
    config = engine_config(settings, dispatch_config(settings))  # as `serve` builds it
    engine = Engine(factory, build_parser(settings), config)
    TerminalChat(engine, factory, user_id=str(telegram_id), name=name, language=language).run()


@app.command()
def call(
    caller: Annotated[
        str, typer.Option("--from", help="the number you call from (demo: Roger Mercier)")
    ] = "+33465718939",
    server: Annotated[
        str | None, typer.Option(help="the running server (default: COUPDEMAIN_PUBLIC_URL)")
    ] = None,
    speak: Annotated[bool, typer.Option(help="also say the sentences with espeak-ng")] = False,
) -> None:
    """A phone call to the running server's hotline, signed like Twilio (coupdemain serve)."""
    import httpx

    from backend.errors import DomainError
    from backend.people.phones import normalise_phone
    from bots.voice.simulator import PhoneCall, http_poster
    from coupdemain.terminal_call import TerminalCall, espeak

    settings = Settings()
    token = settings.twilio_auth_token
    if not settings.twilio_enabled or token is None:
        typer.echo(
            "The hotline is off: set COUPDEMAIN_TWILIO_ACCOUNT_SID and COUPDEMAIN_TWILIO_AUTH_TOKEN"
            " (the same for the server and for this command).",
            err=True,
        )
        raise typer.Exit(2)
    try:
        number = normalise_phone(caller)
    except DomainError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    speaker = espeak() if speak else None
    if speak and speaker is None:
        typer.echo("espeak-ng is not installed: the call is only printed.", err=True)
    with httpx.Client(base_url=server or settings.public_url, timeout=30) as http:
        phone = PhoneCall(
            http_poster(http),
            public_url=settings.public_url,
            auth_token=token.get_secret_value(),
            caller=number,
            hotline=settings.twilio_number or "+33482530000",
            account_sid=settings.twilio_account_sid or "",
        )
        raise typer.Exit(TerminalCall(phone, speak=speaker).run())


@app.command()
def serve(
    demo: Annotated[
        bool, typer.Option(help="SQLite demo data in var/demo.db (seeded once, then kept)")
    ] = False,
    reset: Annotated[bool, typer.Option(help="with --demo: delete and seed it again")] = False,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        bool | None,
        typer.Option(
            "--workers/--no-workers",
            help="run the outbox and jobs workers (default: COUPDEMAIN_RUN_WORKERS, on);"
            " --no-workers: web only, with `coupdemain worker` beside it",
        ),
    ] = None,
    web_processes: Annotated[
        int,
        typer.Option(
            min=1, help="uvicorn processes serving the web; workers then run in one process"
        ),
    ] = 1,
) -> None:
    """The web app (REST API, webhooks, console) with the outbox and jobs workers."""
    from coupdemain.bootstrap import prepare_database, prepare_demo
    from coupdemain.serving import run_web

    settings = Settings()
    _setup_logging(settings)
    if reset and not demo:
        typer.echo("--reset only applies to the demo: serve --demo --reset", err=True)
        raise typer.Exit(2)
    if demo:
        settings = prepare_demo(settings, port=port, host=host, reset=reset)
    else:
        prepare_database(settings)
    base = f"http://{host}:{port}"
    typer.echo(f"Coup de main on {base}  (API docs: {base}/docs, health: {base}/healthz)")
    typer.echo(f"Dispatchers' console: {base}/console")
    run_web(
        settings,
        host=host,
        port=port,
        web_processes=web_processes,
        workers=settings.run_workers if workers is None else workers,
    )


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


def main() -> None:
    app()
