"""The Rasa adapter against a real Rasa 3.6 server trained on our exported project.

Opt-in (`make test-rasa`, i.e. `pytest -m rasa`): needs /tmp/rasa-venv from
../shared/rasa/setup.sh. These tests are about the adapter and the export format, not about
DIET's accuracy, so Rasa trains on a sample of the data (every intent, every service) with
fewer epochs: DIET's 100 epochs on all 4,400 examples took over 30 min on the shared 2-core
machine (`make bench-rasa` does the full comparison).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from nlu import DEFAULT_DATA_DIR, IntentParser
from nlu.rasa_adapter import RasaParser
from nlu.rasa_export import DEFAULT_RASA_CONFIG, export_rasa_project
from nlu.rasa_local import DEFAULT_RASA_VENV, RasaServer, rasa_executable, train_rasa_nlu
from nlu.training_data import TrainingData, load_training_data

pytestmark = pytest.mark.rasa
EPOCHS = 40
PER_INTENT = 20  # examples per (language, intent)
PER_SERVICE = 6  # and per (language, service), so that every service is seen


def sample(data: TrainingData) -> TrainingData:
    """Every intent and every service in both languages, in a few hundred examples."""
    taken: Counter[tuple[str, str]] = Counter()
    keep = []
    for index, example in enumerate(data.examples):
        key = (
            example.language,
            f"service:{example.service}" if example.service else example.intent,
        )
        limit = PER_SERVICE if example.service else PER_INTENT
        if taken[key] < limit:
            taken[key] += 1
            keep.append(index)
    return data.subset(keep)


@pytest.fixture(scope="module")
def rasa_parser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaParser]:
    if rasa_executable() is None:
        pytest.skip(f"no Rasa at {DEFAULT_RASA_VENV}: run `bash ../shared/rasa/setup.sh` first")
    work = tmp_path_factory.mktemp("rasa")
    config = DEFAULT_RASA_CONFIG.replace("epochs: 100", f"epochs: {EPOCHS}")
    export_rasa_project(
        sample(load_training_data(DEFAULT_DATA_DIR)), work / "project", config_text=config
    )
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
