"""`coupdemain nlu ...` through Typer's CliRunner, on the small fixture data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coupdemain.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
DATA = ["--data-dir", str(FIXTURES / "data")]
runner = CliRunner()


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = tmp_path_factory.mktemp("cli") / "models"
    result = runner.invoke(app, ["nlu", "train", "--models-dir", str(models), *DATA])
    assert result.exit_code == 0, result.output
    return models


def test_train_writes_the_latest_artefact(models_dir: Path) -> None:
    version = (models_dir / "latest").read_text().strip()
    assert (models_dir / version / "model.joblib").is_file()


def parse_lines(models_dir: Path, stdin: bytes) -> list[dict]:
    result = runner.invoke(
        app, ["nlu", "parse", "--models-dir", str(models_dir), *DATA], input=stdin
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_parse_answers_one_json_object_per_line(models_dir: Path) -> None:
    lines = parse_lines(models_dir, b"bonjour\nje veux annuler ma demande\n")
    assert [r["intent"]["name"] for r in lines] == ["greet", "cancel_request"]
    assert set(lines[0]) >= {"text", "intent", "intent_ranking", "entities"}


def test_parse_accepts_json_objects_with_text_lang_and_now(models_dir: Path) -> None:
    line = json.dumps({"text": "faire mes courses demain matin", "now": "2025-03-12T10:00:00"})
    (result,) = parse_lines(models_dir, (line + "\n").encode())
    (time,) = [e for e in result["entities"] if e["entity"] == "time"]
    assert time["value"]["from"] == "2025-03-13T08:00:00+01:00"


def test_parse_never_stops_on_bad_lines(models_dir: Path) -> None:
    stdin = b"\n" + b"\xff\xfe\x00\x01garbage\n" + b'{"text": "\\ud800"}\n' + b"{not json\n"
    stdin += b'{"no_text": 1}\n' + b"x" * 200_000 + b"\nmerci\n"
    lines = parse_lines(models_dir, stdin)
    assert len(lines) == 7
    assert lines[0]["intent"]["name"] == "nlu_fallback" and lines[0]["text"] == ""
    assert lines[4]["text"] == ""
    assert len(lines[5]["text"]) <= 64 * 1024
    assert lines[6]["intent"]["name"] == "thank"


def test_parse_trains_first_when_there_is_no_model(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["nlu", "parse", "--models-dir", str(tmp_path / "m"), *DATA], input=b"bonjour\n"
    )
    assert result.exit_code == 0
    assert "training the NLU model (no trained model yet)" in result.stderr
    assert json.loads(result.stdout)["intent"]["name"] == "greet"


def test_test_command_prints_the_report_and_writes_the_png(
    models_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    result = runner.invoke(
        app,
        [
            "nlu",
            "test",
            str(FIXTURES / "heldout_fixture.jsonl"),
            "--out",
            str(out),
            "--models-dir",
            str(models_dir),
            *DATA,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "intent accuracy" in result.stdout and "precision" in result.stdout
    assert (out / "confusion_matrix.png").is_file() and (out / "intent_report.json").is_file()


def test_test_command_rejects_a_missing_file(models_dir: Path) -> None:
    result = runner.invoke(app, ["nlu", "test", "nope.jsonl", "--models-dir", str(models_dir)])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_cross_validate_prints_fold_figures() -> None:
    result = runner.invoke(app, ["nlu", "cross-validate", "--folds", "3", *DATA])
    assert result.exit_code == 0, result.output
    assert "mean" in result.stdout and "service acc." in result.stdout


def test_export_rasa_writes_a_project(tmp_path: Path) -> None:
    result = runner.invoke(app, ["nlu", "export-rasa", str(tmp_path / "rasa"), *DATA])
    assert result.exit_code == 0, result.output
    for name in ("config.yml", "domain.yml", "data/nlu.yml"):
        assert (tmp_path / "rasa" / name).is_file()
