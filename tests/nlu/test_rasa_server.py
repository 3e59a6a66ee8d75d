"""The Rasa adapter against a real Rasa 3.6 server trained on our exported project.

Opt-in (`make test-rasa`, i.e. `pytest -m rasa`): needs /tmp/rasa-venv from
../shared/rasa/setup.sh, and takes minutes (TensorFlow start-up, DIET's 100 epochs).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from nlu import DEFAULT_DATA_DIR, IntentParser
from nlu.rasa_adapter import RasaParser
from nlu.rasa_export import export_rasa_project
from nlu.rasa_local import DEFAULT_RASA_VENV, RasaServer, rasa_executable, train_rasa_nlu
from nlu.training_data import load_training_data

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def rasa_parser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaParser]:
    if rasa_executable() is None:
        pytest.skip(f"no Rasa at {DEFAULT_RASA_VENV}: run `bash ../shared/rasa/setup.sh` first")
    work = tmp_path_factory.mktemp("rasa")
    export_rasa_project(load_training_data(DEFAULT_DATA_DIR), work / "project")
    model = train_rasa_nlu(work / "project", work / "models")
    with (
        RasaServer(model, log=work / "rasa-run.log") as server,
        RasaParser(server.url, timeout=30) as parser,
    ):
        yield parser


def test_adapter_speaks_our_interface(rasa_parser: RasaParser) -> None:
    assert isinstance(rasa_parser, IntentParser)


def test_rasa_recognises_a_greeting_in_rasa_format(rasa_parser: RasaParser) -> None:
    result = rasa_parser.parse("bonjour madame")
    assert set(result) >= {"text", "intent", "intent_ranking", "entities"}
    assert result["intent"]["name"] == "greet"
    assert 0 < result["intent"]["confidence"] <= 1
    assert len(result["intent_ranking"]) <= 10


def test_rasa_finds_the_service_and_the_adapter_normalises_the_time(
    rasa_parser: RasaParser, now: datetime
) -> None:
    text = "j'ai besoin de quelqu'un pour faire mes courses demain matin"
    result = rasa_parser.parse(text, now=now)
    assert result["intent"]["name"] == "request_help"
    by_type = {e["entity"]: e for e in result["entities"]}
    assert by_type["service"]["value"] == "errands"
    for entity in result["entities"]:
        assert 0 <= entity["start"] < entity["end"] <= len(text)
    if "time" in by_type:  # DIET found the words; the adapter gave them a window
        assert by_type["time"]["value"]["from"] == "2025-03-13T08:00:00+01:00"


def test_empty_text_gets_a_valid_answer(rasa_parser: RasaParser) -> None:
    result = rasa_parser.parse("")
    assert result["text"] == "" and isinstance(result["intent"]["name"], str)


def test_export_is_what_rasa_trained_on(tmp_path: Path) -> None:
    files = export_rasa_project(load_training_data(DEFAULT_DATA_DIR), tmp_path)
    assert all(path.is_file() for path in files)
