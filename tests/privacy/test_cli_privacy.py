"""`coupdemain people export|erase` and `coupdemain privacy purge` on a temporary SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from backend.conversations.models import Conversation, ConversationMessage
from backend.db import make_engine, make_session_factory, utcnow
from backend.people.models import Person
from coupdemain.bootstrap import prepare_database
from coupdemain.cli import app
from coupdemain.settings import Settings
from tests.privacy import scene

Db = tuple[CliRunner, sessionmaker[Session], scene.Scene]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Db]:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    env = {"COUPDEMAIN_DATABASE_URL": url, "COUPDEMAIN_VAR_DIR": str(tmp_path / "var")}
    prepare_database(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        built = scene.build(session)
    yield CliRunner(env=env), factory, built
    engine.dispose()


def test_people_export_prints_the_persons_data_as_json(database: Db) -> None:
    runner, _, s = database
    result = runner.invoke(app, ["people", "export", str(s.jeanne.id)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["person"]["display_name"] == scene.NAME


def test_people_export_writes_a_file_with_out(database: Db, tmp_path: Path) -> None:
    runner, _, s = database
    target = tmp_path / "jeanne.json"
    result = runner.invoke(app, ["people", "export", str(s.jeanne.id), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["contacts"]


def test_an_unknown_id_is_refused_with_exit_code_2(database: Db) -> None:
    runner, _, _ = database
    for command in (["export", "4242"], ["erase", "4242", "--yes"]):
        result = runner.invoke(app, ["people", *command])
        assert result.exit_code == 2
        assert "No person with id 4242" in result.output


def test_erase_asks_first_and_a_no_keeps_everything(database: Db) -> None:
    runner, factory, s = database
    result = runner.invoke(app, ["people", "erase", str(s.jeanne.id)], input="n\n")
    assert result.exit_code == 1
    assert f"Erase {scene.NAME} (#{s.jeanne.id})?" in result.output
    with factory() as session:
        assert session.get_one(Person, s.jeanne.id).display_name == scene.NAME


def test_erase_with_confirmation_erases_and_says_what_it_did(database: Db) -> None:
    runner, factory, s = database
    result = runner.invoke(app, ["people", "erase", str(s.jeanne.id)], input="y\n")
    assert result.exit_code == 0, result.output
    assert f"person {s.jeanne.id} erased" in result.output
    assert "requests cancelled: 1" in result.output
    with factory() as session:
        person = session.get_one(Person, s.jeanne.id)
        assert person.display_name == f"Personne effacée #{s.jeanne.id}"


def test_privacy_purge_dry_run_then_for_real(database: Db) -> None:
    runner, factory, _ = database
    with factory() as session, session.begin():
        old = session.scalars(select(ConversationMessage)).first()
        assert old is not None
        old.created_at = utcnow() - timedelta(days=400)
        conversation = session.get_one(Conversation, old.conversation_id)
        old_text = old.text

    dry = runner.invoke(app, ["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "retention: transcripts 180 days, calls 90 days" in dry.output
    assert "would purge 1 conversation messages" in dry.output
    with factory() as session:
        assert old_text in set(session.scalars(select(ConversationMessage.text)))

    real = runner.invoke(app, ["privacy", "purge"], env={"COUPDEMAIN_RETENTION_CALL_DAYS": "30"})
    assert real.exit_code == 0, real.output
    assert "calls 30 days" in real.output
    assert "purged 1 conversation messages" in real.output
    with factory() as session:
        assert old_text not in set(session.scalars(select(ConversationMessage.text)))
        assert session.get(Conversation, conversation.id) is not None
