"""The dispatchers' corrections read from the configured database, as plain `nlu` values.

`coupdemain nlu train` uses them when the database is there: a missing SQLite file, a server
that does not answer or a schema without the table means "no corrections", said, never a
failed training (a developer trains without any database). Nothing is created or migrated.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.nlu_corrections.service import all_corrections
from nlu.corrections import Correction

CONNECT_TIMEOUT_SECONDS = 5


def read_corrections(database_url: str) -> tuple[list[Correction], str | None]:
    """The corrections, oldest first, or ([], why none could be read)."""
    url = make_url(database_url)
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return [], f"no database file in {where}"
        if not Path(url.database).is_file():
            return [], f"no database at {url.database}"
        connect_args: dict[str, object] = {}
    else:
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("nlu_corrections"):
                return [], f"{where} has no corrections table (run `coupdemain db upgrade`)"
            with Session(bind=connection) as session:
                rows = all_corrections(session)
                return [Correction(r.text, r.language, r.intent, r.service) for r in rows], None
    except SQLAlchemyError as exc:
        return [], f"database {where} unreachable: {type(exc).__name__}"
    finally:
        engine.dispose()
