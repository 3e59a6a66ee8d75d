"""Shared fixtures: ONE model trained per test session, a fixed `now`, the fixture data.

The session model is trained on the real training data (nlu/data) when it is there, else on
the small fixture set under tests/nlu/fixtures/data, so the mechanics can be tested either
way; the accuracy tests skip without the real data.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nlu import DEFAULT_DATA_DIR, Interpreter
from nlu.model import NluModel, train_model
from nlu.training_data import TrainingData, TrainingDataError, load_training_data

HERE = Path(__file__).parent
FIXTURE_DATA = HERE / "fixtures" / "data"
PARIS = ZoneInfo("Europe/Paris")
# Wednesday 12 March 2025, 10:00 in Paris: every relative time in the tests counts from here.
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=PARIS)


def real_data() -> TrainingData | None:
    try:
        data = load_training_data(DEFAULT_DATA_DIR)
    except TrainingDataError:
        return None
    languages = {e.language for e in data.examples}
    return data if {"fr", "en"} <= languages else None


@pytest.fixture(scope="session")
def training_data() -> TrainingData:
    return real_data() or load_training_data(FIXTURE_DATA)


@pytest.fixture(scope="session")
def model(training_data: TrainingData) -> NluModel:
    return train_model(training_data)


@pytest.fixture(scope="session")
def interpreter(model: NluModel) -> Interpreter:
    return Interpreter(model)


@pytest.fixture
def fixture_data_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture data, free to modify."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The real-Rasa tests take minutes: they run only when asked for (`make test-rasa`,
    # i.e. `pytest -m rasa`), never as part of `make test`.
    if "rasa" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="real Rasa server test: run `make test-rasa` (pytest -m rasa)")
    for item in items:
        if item.get_closest_marker("rasa"):
            item.add_marker(skip)


@pytest.fixture
def now() -> datetime:
    return NOW
