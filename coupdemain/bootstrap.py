"""Getting a database ready: migrations, and the demo's seeded copy (kept across restarts)."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

import typer
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from backend.db import make_engine, make_session_factory, transaction, utcnow
from backend.migrations.runner import upgrade
from coupdemain.settings import Settings

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no detection of a demo in use
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("coupdemain")

# POSIX record locks on var/demo.db.lock: shared while a server or a terminal chat uses the
# demo, exclusive for a reset. They belong to the process (its own locks never block it) and
# vanish with it, however it ends. One descriptor per file, kept open for the process's life
# (closing any descriptor of the file would drop the lock).
_held: dict[Path, int] = {}


class DemoInUse(Exception):
    """Another process (a server, a terminal chat) has the demo database open."""


def prepare_database(settings: Settings, revision: str = "head") -> None:
    if settings.resolved_database_url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()


def demo_path(settings: Settings) -> Path:
    return settings.var_dir / "demo.db"


def demo_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"database_url": f"sqlite:///{demo_path(settings)}"})


def _lock(path: Path, *, exclusive: bool) -> None:
    if fcntl is None:
        return
    lock_file = path.with_name(path.name + ".lock")
    fd = _held.get(lock_file)
    if fd is None:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = _held[lock_file] = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.lockf(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except OSError as exc:
        raise DemoInUse(str(path)) from exc


def hold_demo(settings: Settings) -> None:
    """Marks the demo database as in use by this process, until it ends."""
    _lock(demo_path(settings), exclusive=False)


def demo_seeded_at(engine: Engine) -> datetime | None:
    """When the demo data was seeded (its dispatcher's creation), or None if it has none."""
    from backend.people.models import Person
    from coupdemain.demo.identities import DISPATCHER

    try:
        with engine.connect() as conn:
            return conn.scalar(select(Person.created_at).where(Person.login == DISPATCHER.login))
    except OperationalError:  # no schema yet
        return None


def demo_is_seeded(settings: Settings) -> bool:
    """Whether var/demo.db holds the demo; never creates the file."""
    path = demo_path(settings)
    if not path.is_file() or path.stat().st_size == 0:
        return False
    engine = make_engine(demo_settings(settings).resolved_database_url)
    try:
        return demo_seeded_at(engine) is not None
    finally:
        engine.dispose()


def _delete(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _local(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


def prepare_demo(settings: Settings, *, host: str, port: int, reset: bool = False) -> Settings:
    """The demo neighbourhood in var/demo.db: seeded when the file has none, kept otherwise
    (a restart loses nothing), deleted and seeded again with `reset`. Says which it did."""
    from coupdemain.demo import DemoRefused, seed_demo

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path = demo_path(settings)
    try:
        _lock(path, exclusive=reset)
    except DemoInUse:
        typer.echo(
            f"{path} est utilisée par un autre processus (serveur ou chat) : arrêtez-le avant "
            f"de repartir de zéro.\n{path} is in use by another process (a server or a "
            "terminal chat): stop it before resetting the demo.",
            err=True,
        )
        raise typer.Exit(2) from None
    wiped = reset and path.exists()
    if wiped:
        _delete(path)
    demo = demo_settings(settings)
    if demo.public_url == Settings.model_fields["public_url"].default:
        demo = demo.model_copy(update={"public_url": f"http://{host}:{port}"})
    engine = make_engine(demo.resolved_database_url)
    try:
        upgrade(engine)
        seeded_at = demo_seeded_at(engine)
        if seeded_at is None:
            try:
                with transaction(make_session_factory(engine)) as session:
                    identities = seed_demo(session, now=utcnow())
            except DemoRefused as exc:
                typer.echo(f"{path} : {exc}\n`coupdemain demo reset` to start over.", err=True)
                raise typer.Exit(2) from None
    finally:
        engine.dispose()
    if reset:
        _lock(path, exclusive=False)  # a server started with --reset shares it from now on
    from coupdemain.demo import demo_identities

    if seeded_at is not None:
        typer.echo(
            f"Données de démo conservées : {path}, créées le {_local(seeded_at)} "
            "(`coupdemain demo reset` pour repartir de zéro).\n"
            f"Demo data kept: {path}, seeded {_local(seeded_at)}; "
            "`coupdemain demo reset` to start over."
        )
        identities = demo_identities()
    elif wiped:
        typer.echo(
            f"Données de démo effacées puis recréées : {path}.\n"
            f"Demo data reset: {path} deleted and seeded again: "
            f"{len(identities.residents)} residents, {len(identities.helpers)} helpers."
        )
    else:
        typer.echo(
            f"Données de démo créées : {path}.\n"
            f"Demo data seeded in {path}: {len(identities.residents)} residents, "
            f"{len(identities.helpers)} helpers."
        )
    typer.echo(
        f"Dispatcher login: {identities.dispatcher.login} / {identities.dispatcher.password}\n"
        "Who is who: coupdemain demo people (add --json for machines)"
    )
    return demo
