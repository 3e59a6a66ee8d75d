from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlu import Interpreter
from nlu.evaluation import cross_validate, evaluate, read_labelled
from nlu.report_files import confusion_text, write_report
from nlu.training_data import load_training_data

FIXTURE_HELDOUT = Path(__file__).parent / "fixtures" / "heldout_fixture.jsonl"


def test_heldout_format_is_read() -> None:
    examples = read_labelled(FIXTURE_HELDOUT)
    assert examples[1].intent == "request_help" and examples[1].service == "errands"
    assert examples[0].service is None and examples[0].style == "voice"


def test_a_bad_line_names_its_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "intent": "affirm"}\n{"text": "no intent"}\n')
    with pytest.raises(ValueError, match=":2:"):
        read_labelled(path)


def test_report_counts_and_files(interpreter: Interpreter, tmp_path: Path) -> None:
    report = evaluate(interpreter, read_labelled(FIXTURE_HELDOUT))
    assert 0.0 <= report.accuracy <= 1.0 and report.service_count == 2
    assert "request_help" in report.per_intent()
    assert "request_help" in confusion_text(report)
    written = write_report(report, tmp_path / "out")
    assert {p.name for p in written} == {
        "intent_report.json",
        "errors.json",
        "confusion_matrix.txt",
        "confusion_matrix.png",
    }
    assert (tmp_path / "out" / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "out" / "intent_report.json").read_text())["examples"] == 4


def test_cross_validation_reports_every_fold(fixture_data_dir: Path) -> None:
    data = load_training_data(fixture_data_dir)
    result = cross_validate(data, folds=3)
    assert len(result.folds) == 3
    assert sum(len(f.gold) for f in result.folds) == len(data.examples)
    assert 0.0 <= result.accuracy <= 1.0
