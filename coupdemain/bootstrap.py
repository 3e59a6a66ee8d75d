"""Getting a database ready: migrations, and the demo's fresh seeded copy."""

from __future__ import annotations

import logging

import typer

from backend.db import make_engine, make_session_factory, transaction, utcnow
from backend.migrations.runner import upgrade
from coupdemain.settings import Settings

log = logging.getLogger("coupdemain")


def prepare_database(settings: Settings, revision: str = "head") -> None:
    if settings.resolved_database_url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()


def prepare_demo(settings: Settings, *, host: str, port: int) -> Settings:
    """A fresh SQLite file with the demo neighbourhood, the same at every start."""
    from coupdemain.demo import seed_demo

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path = settings.var_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    demo = settings.model_copy(update={"database_url": f"sqlite:///{path}"})
    if demo.public_url == Settings.model_fields["public_url"].default:
        demo = demo.model_copy(update={"public_url": f"http://{host}:{port}"})
    engine = make_engine(demo.resolved_database_url)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            identities = seed_demo(session, now=utcnow())
    finally:
        engine.dispose()
    typer.echo(
        f"Demo data seeded in {path}: {len(identities.residents)} residents, "
        f"{len(identities.helpers)} helpers.\n"
        f"Dispatcher login: {identities.dispatcher.login} / {identities.dispatcher.password}\n"
        "Who is who: coupdemain demo people (add --json for machines)"
    )
    return demo
