"""Our local model against Rasa's DIET on the same cross-validation folds.

    make bench-rasa          # = python -m bench rasa

For each of the 5 stratified folds (the same folds as `coupdemain nlu cross-validate`):
export the training part as a Rasa project, `rasa train nlu` it (../shared/rasa/config.yml's
DIET pipeline, 100 epochs), load it into one running `rasa run --enable-api` (`PUT /model`),
and parse the held-out part through our Rasa adapter over HTTP. Our model is trained and
tested on the same split. Printed side by side: intent accuracy (Rasa's FallbackClassifier
included, as ours), service accuracy, training time, parse latency.

Needs /tmp/rasa-venv (`bash ../shared/rasa/setup.sh`); without it, says so and exits 0.
DIET is slow to train on CPU: over 30 min per fold of ~3,500 examples on a shared 2-core
machine, so plain `python -m bench` (every benchmark) skips it unless "rasa" is named on
the command line, and `--max-folds N` runs only the first N of the 5 folds:

    python -m bench rasa --max-folds 1
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nlu.evaluation import Report

FOLDS = 5
HERE = Path(__file__).resolve().parent


def main() -> None:
    from nlu.rasa_local import DEFAULT_RASA_VENV, rasa_executable

    if "rasa" not in sys.argv[1:]:
        print("skipped: the Rasa comparison takes hours on CPU; run `make bench-rasa`")
        return
    options = argparse.ArgumentParser(prog="python -m bench rasa")
    options.add_argument("--max-folds", type=int, default=FOLDS)
    max_folds = options.parse_known_args(sys.argv[1:])[0].max_folds
    if rasa_executable() is None:
        print(
            f"skipped: no Rasa at {DEFAULT_RASA_VENV}. Install it with "
            "`bash ../shared/rasa/setup.sh` (~3 min), then run `make bench-rasa` again."
        )
        return
    _compare(max_folds)


def _compare(max_folds: int) -> None:
    from nlu import DEFAULT_DATA_DIR, Interpreter
    from nlu.evaluation import LabelledExample, evaluate, fold_indices
    from nlu.model import train_model
    from nlu.rasa_adapter import RasaParser
    from nlu.rasa_export import export_rasa_project
    from nlu.rasa_local import RasaServer, train_rasa_nlu
    from nlu.training_data import load_training_data

    data = load_training_data(DEFAULT_DATA_DIR)
    folds = fold_indices(data, FOLDS)[:max_folds]
    rows: dict[str, dict[str, list[float]]] = {
        "ours": {"intent": [], "top1": [], "service": [], "train_s": [], "parse_ms": []},
        "rasa": {"intent": [], "top1": [], "service": [], "train_s": [], "parse_ms": []},
    }
    with tempfile.TemporaryDirectory(prefix="bench-rasa-") as tmp:
        work = Path(tmp)
        models = []
        for number, (train, _test) in enumerate(folds, 1):
            project = work / f"fold{number}"
            export_rasa_project(data.subset(train), project)
            started = time.perf_counter()
            models.append(train_rasa_nlu(project, project / "models", timeout=4 * 3600))
            rows["rasa"]["train_s"].append(time.perf_counter() - started)
            print(f"fold {number}: Rasa trained in {rows['rasa']['train_s'][-1]:.0f} s", flush=True)

        with RasaServer(models[0], log=work / "rasa-run.log") as server:
            for number, ((train, test), model) in enumerate(zip(folds, models, strict=True), 1):
                held = [
                    LabelledExample(e.text, e.intent, e.service, None, None)
                    for e in (data.examples[i] for i in test)
                ]
                if number > 1:
                    server.load(model)
                with RasaParser(server.url, timeout=30, normalise_values=False) as rasa:
                    _record(rows["rasa"], evaluate(rasa, held))
                started = time.perf_counter()
                ours = Interpreter(train_model(data.subset(train)))
                rows["ours"]["train_s"].append(time.perf_counter() - started)
                _record(rows["ours"], evaluate(ours, held))
                print(
                    f"fold {number}: intent ours {rows['ours']['intent'][-1]:.3f} "
                    f"rasa {rows['rasa']['intent'][-1]:.3f}",
                    flush=True,
                )
    _print(rows, len(data.examples), len(folds))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "rasa.json").write_text(json.dumps(rows, indent=2) + "\n")


def _record(row: dict[str, list[float]], report: Report) -> None:
    row["intent"].append(report.accuracy)
    row["top1"].append(report.top1_accuracy)
    row["service"].append(report.service_accuracy)
    row["parse_ms"].extend(report.latencies_ms)


def _print(rows: dict[str, dict[str, list[float]]], examples: int, ran: int) -> None:
    print(f"\n{ran} of {FOLDS} cross-validation folds on {examples} examples, same folds")
    print(f"  {'':<38} {'ours (TF-IDF+SVM)':>18} {'Rasa DIET':>14}")

    def line(name: str, key: str, fmt: str, reduce: str = "mean") -> None:
        values = []
        for model in ("ours", "rasa"):
            data = rows[model][key]
            if reduce == "median":
                values.append(float(np.median(data)))
            elif reduce == "p99":
                values.append(float(np.percentile(data, 99)))
            else:
                values.append(float(np.mean(data)))
        print(f"  {name:<38} {values[0]:>18{fmt}} {values[1]:>14{fmt}}")

    line("intent accuracy (fallback = error)", "intent", ".3f")
    line("intent accuracy, top-1", "top1", ".3f")
    line("service accuracy", "service", ".3f")
    line("training time per fold (s)", "train_s", ".1f")
    line("parse latency median (ms)", "parse_ms", ".2f", "median")
    line("parse latency p99 (ms)", "parse_ms", ".2f", "p99")
    print("  (Rasa: wall time of `rasa train nlu`, TensorFlow start-up included; parse over HTTP)")
