"""`coupdemain nlu train` learns the dispatchers' corrections from the database, and
`coupdemain nlu corrections export` writes them as Rasa NLU YAML (CliRunner, fixture data,
a real SQLite database migrated like production)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.db import make_engine, make_session_factory
from backend.migrations.runner import upgrade
from backend.nlu_corrections.service import correct
from coupdemain.cli import app
from nlu.training_data import load_training_data
from tests.console.console_helpers import make_staff
from tests.nlu_corrections.corrections_helpers import conversation, message

FIXTURES = Path(__file__).parent / "fixtures" / "data"
DATA = ["--data-dir", str(FIXTURES)]
# The fixture model reads this lonely neighbour as an emergency.
LONELY = "ma voisine se sent seule elle aimerait une visite le dimanche"
# A training example of the fixture data (request_help, diy), corrected to no service.
BULB = "il faudrait changer une ampoule chez moi"
runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path) -> dict[str, str]:
    """A migrated database holding two corrections; the environment that points at it."""
    url = f"sqlite:///{tmp_path / 'coupdemain.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        claire = make_staff(session, "claire")
        conv = conversation(session, person_id=None)
        for text, service in ((LONELY, "companionship"), (BULB, None)):
            said = message(session, conv, text, reading={"intent": "emergency"})
            correct(
                session,
                conv.id,
                said.id,
                intent="request_help",
                service=service,
                dispatcher_id=claire.id,
                language="fr",
            )
        session.commit()
    engine.dispose()
    return {"COUPDEMAIN_DATABASE_URL": url}


def _train(models: Path, env: dict[str, str], *extra: str) -> str:
    result = runner.invoke(
        app, ["nlu", "train", "--models-dir", str(models), *DATA, *extra], env=env
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.stderr.split())


def _parse(models: Path, text: str) -> tuple[str, str | None]:
    result = runner.invoke(
        app, ["nlu", "parse", "--models-dir", str(models), *DATA], input=text.encode() + b"\n"
    )
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    service = next((e["value"] for e in parsed["entities"] if e["entity"] == "service"), None)
    return parsed["intent"]["name"], service


def test_a_corrected_misparse_is_parsed_right_after_retraining(
    tmp_path: Path, database: dict[str, str]
) -> None:
    models = tmp_path / "models"
    said = _train(models, database, "--no-corrections")
    assert "corrections" not in said
    assert _parse(models, LONELY) != ("request_help", "companionship")

    said = _train(models, database)
    assert "2 dispatcher corrections used" in said
    assert (
        f"a correction wins over fr/intents.yml: '{BULB}' was request_help/diy, now request_help"
        in said
    )
    assert _parse(models, LONELY) == ("request_help", "companionship")


def test_without_a_database_training_goes_on_and_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    said = _train(tmp_path / "models", {"COUPDEMAIN_DATABASE_URL": f"sqlite:///{missing}"})
    assert f"no dispatcher corrections used: no database at {missing}" in said
    assert "model " in said and not missing.exists()


def test_export_writes_a_rasa_file_that_the_loader_reads_back(
    tmp_path: Path, database: dict[str, str]
) -> None:
    out = tmp_path / "review" / "fr" / "corrections.yml"
    out.parent.mkdir(parents=True)
    result = runner.invoke(
        app,
        ["nlu", "corrections", "export", "--out", str(out), "--lang", "fr", *DATA],
        env=database,
    )
    assert result.exit_code == 0, result.output
    assert "wrote 2 corrections" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 2 dispatcher corrections")
    # No word of the fixture data names companionship: the whole sentence carries it.
    assert f'- [{LONELY}]{{"entity": "service", "value": "companionship"}}' in text
    back = load_training_data(tmp_path / "review")
    assert {(e.text, e.intent, e.service, e.language) for e in back.examples} == {
        (LONELY, "request_help", "companionship", "fr"),
        (BULB, "request_help", None, "fr"),
    }
