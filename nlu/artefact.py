"""The model artefact on disk: versioned, with the hash of the data it was trained on.

Layout of a models directory:

    models/nlu/
      20250312-101500-3fa2c1d0/   one directory per training run
        model.joblib              the pickled NluModel
        metadata.json             format version, data hash, trained_at, library versions
      latest                      name of the directory to load

A new run is written to a temporary directory and renamed into place, and `latest` is
replaced atomically, so a reader never sees half a model. Only the newest `KEEP` runs stay.

An artefact is *stale* when it was trained on other data (hash differs from the current
`nlu/data/`), by another format version of this code, or with another scikit-learn (pickles
do not travel between versions). `load_or_train` retrains then, and says why.
joblib files are pickles: load only artefacts this program wrote.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import sklearn

from nlu.config import ModelConfig
from nlu.interpreter import Interpreter
from nlu.model import NO_SERVICE, NluModel, StepCallback, train_model
from nlu.training_data import hash_data, load_training_data

# Bump when NluModel's shape changes: older artefacts are then retrained, never misread.
MODEL_FORMAT_VERSION = 3
KEEP = 3
DEFAULT_DATA_DIR = Path(__file__).parent / "data"

Notify = Callable[[str], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArtefactInfo:
    path: Path
    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        return self.path.name


def save_model(model: NluModel, models_dir: Path, *, training_seconds: float = 0.0) -> ArtefactInfo:
    models_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    version = f"{now:%Y%m%d-%H%M%S}-{model.data_hash[:8]}"
    metadata = {
        "model_version": version,
        "format_version": MODEL_FORMAT_VERSION,
        "data_hash": model.data_hash,
        "trained_at": now.isoformat(),
        "training_seconds": round(training_seconds, 2),
        "sklearn_version": sklearn.__version__,
        "intents": model.intent_scorer("fr").classes,
        "languages": model.languages,
        "services": [c for c in model.service.classes if c != NO_SERVICE] if model.service else [],
        "config": model.config.as_dict(),
    }
    metadata = json.loads(json.dumps(metadata))  # as a reader will see it (tuples -> lists)
    staging = Path(tempfile.mkdtemp(prefix=".training-", dir=models_dir))
    joblib.dump(model, staging / "model.joblib", compress=3)
    (staging / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    final = models_dir / version
    if final.exists():  # two runs within one second on the same data: same model
        shutil.rmtree(final)
    staging.rename(final)
    _write_atomically(models_dir / "latest", version + "\n")
    _prune(models_dir, keep=KEEP)
    return ArtefactInfo(final, metadata)


def _write_atomically(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".latest-")
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    os.replace(tmp, path)


def _prune(models_dir: Path, keep: int) -> None:
    runs = sorted(p for p in models_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def latest_artefact(models_dir: Path) -> ArtefactInfo | None:
    pointer = models_dir / "latest"
    if not pointer.is_file():
        return None
    path = models_dir / pointer.read_text().strip()
    try:
        metadata = json.loads((path / "metadata.json").read_text())
    except (OSError, ValueError):
        return None
    return ArtefactInfo(path, metadata)


def staleness(info: ArtefactInfo | None, data_dir: Path) -> str | None:
    """Why this artefact cannot serve the current data, or None when it can."""
    if info is None:
        return "no trained model yet"
    meta = info.metadata
    if meta.get("format_version") != MODEL_FORMAT_VERSION:
        return f"model format {meta.get('format_version')} != {MODEL_FORMAT_VERSION}"
    if meta.get("sklearn_version") != sklearn.__version__:
        return f"trained with scikit-learn {meta.get('sklearn_version')}, now {sklearn.__version__}"
    if meta.get("data_hash") != hash_data(data_dir):
        return "the training data changed since the model was trained"
    return None


def load_model(info: ArtefactInfo) -> NluModel:
    model = joblib.load(info.path / "model.joblib")
    if not isinstance(model, NluModel):
        raise TypeError(f"{info.path} does not hold an NluModel")
    # A pickle of an older NluModel loads without error but lacks the new fields: refuse it
    # here (load_or_train then retrains) rather than fail in the middle of a parse.
    missing = [f.name for f in fields(NluModel) if not hasattr(model, f.name)]
    if missing:
        raise TypeError(f"{info.path} is an older model without {', '.join(missing)}")
    return model


def train_and_save(
    models_dir: Path,
    data_dir: Path = DEFAULT_DATA_DIR,
    *,
    config: ModelConfig | None = None,
    on_step: StepCallback | None = None,
) -> ArtefactInfo:
    started = time.perf_counter()
    data = load_training_data(data_dir)
    model = train_model(data, config, on_step)
    return save_model(model, models_dir, training_seconds=time.perf_counter() - started)


def load_or_train(
    models_dir: Path,
    data_dir: Path = DEFAULT_DATA_DIR,
    *,
    notify: Notify | None = None,
    config: ModelConfig | None = None,
    **interpreter_options: Any,
) -> Interpreter:
    """The newest model for the current data; retrains first (and says why) if it is stale."""
    models_dir, data_dir = Path(models_dir), Path(data_dir)
    info = latest_artefact(models_dir)
    reason = staleness(info, data_dir)
    model = None
    if reason is None and info is not None:
        try:
            model = load_model(info)
        except Exception as exc:  # a corrupt or unreadable file: retrain rather than fail
            reason = f"could not load {info.path}: {exc}"
    if model is None:
        say = notify or log.warning
        say(f"training the NLU model ({reason}) into {models_dir}")
        info = train_and_save(models_dir, data_dir, config=config)
        model = load_model(info)
        say(f"model {info.version} ready")
    return Interpreter(model, **interpreter_options)
