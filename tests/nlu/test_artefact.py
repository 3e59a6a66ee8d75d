from __future__ import annotations

import json
from pathlib import Path

from nlu.artefact import (
    KEEP,
    MODEL_FORMAT_VERSION,
    latest_artefact,
    load_or_train,
    staleness,
    train_and_save,
)


def test_training_writes_a_versioned_artefact_with_metadata(
    tmp_path: Path, fixture_data_dir: Path
) -> None:
    info = train_and_save(tmp_path / "models", fixture_data_dir)
    assert (info.path / "model.joblib").is_file()
    meta = json.loads((info.path / "metadata.json").read_text())
    assert meta["format_version"] == MODEL_FORMAT_VERSION
    assert meta["model_version"] == info.version
    assert {"data_hash", "trained_at", "sklearn_version", "intents", "services"} <= set(meta)
    assert latest_artefact(tmp_path / "models") == info
    assert staleness(info, fixture_data_dir) is None


def test_a_model_for_changed_data_is_stale_and_retrained(
    tmp_path: Path, fixture_data_dir: Path
) -> None:
    models = tmp_path / "models"
    first = train_and_save(models, fixture_data_dir)
    intents = fixture_data_dir / "fr" / "intents.yml"
    intents.write_text(
        intents.read_text() + "- intent: repeat\n  examples: |\n    - pardon ?\n"
        "    - vous pouvez répéter\n    - plus lentement svp\n"
    )
    assert (
        staleness(first, fixture_data_dir)
        == "the training data changed since the model was trained"
    )

    messages: list[str] = []
    parser = load_or_train(models, fixture_data_dir, notify=messages.append)
    assert "repeat" in parser.model.intent_scorer("fr").classes
    assert any("training data changed" in m for m in messages)
    assert latest_artefact(models).metadata["data_hash"] != first.metadata["data_hash"]


def test_a_fresh_model_is_loaded_without_training(tmp_path: Path, fixture_data_dir: Path) -> None:
    models = tmp_path / "models"
    train_and_save(models, fixture_data_dir)
    messages: list[str] = []
    load_or_train(models, fixture_data_dir, notify=messages.append)
    assert messages == []


def test_an_unreadable_artefact_is_retrained(tmp_path: Path, fixture_data_dir: Path) -> None:
    models = tmp_path / "models"
    info = train_and_save(models, fixture_data_dir)
    (info.path / "model.joblib").write_bytes(b"not a pickle")
    messages: list[str] = []
    parser = load_or_train(models, fixture_data_dir, notify=messages.append)
    assert parser.parse("bonjour")["intent"]["name"] == "greet"
    assert any("could not load" in m for m in messages)


def test_only_the_newest_runs_are_kept(tmp_path: Path, fixture_data_dir: Path) -> None:
    models = tmp_path / "models"
    for n in range(KEEP + 2):
        (models / f"20000101-00000{n}-old").mkdir(parents=True)
    train_and_save(models, fixture_data_dir)
    runs = [p for p in models.iterdir() if p.is_dir()]
    assert len(runs) == KEEP


def test_a_pickle_of_an_older_model_shape_is_retrained(
    tmp_path: Path, fixture_data_dir: Path
) -> None:
    import joblib

    models = tmp_path / "models"
    info = train_and_save(models, fixture_data_dir)
    old = joblib.load(info.path / "model.joblib")
    del old.informative  # as pickled by a version of the code without that field
    joblib.dump(old, info.path / "model.joblib")
    messages: list[str] = []
    parser = load_or_train(models, fixture_data_dir, notify=messages.append)
    assert parser.parse("bonjour")["intent"]["name"] == "greet"
    assert any("older model without informative" in m for m in messages)
