"""NLU benchmark: training time, parse latency against a baseline, accuracy (issue 3).

    python -m bench nlu

Goals: training <= 30 s, median parse <= 2 ms, cross-validated intent and service accuracy
>= 0.95 (5 stratified folds). Latency is measured on a realistic mix (the held-out sentences
plus every tenth training sentence), after one warm-up pass, against a baseline run in the
same process: the same fitted scikit-learn vectoriser and weights called the usual way
(`transform` + `decision_function`, intent only, no entities). Figures go to stdout and to
bench/results/nlu.json.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
HELDOUT = HERE.parent / "tests" / "nlu"
FOLDS = 5


def _percentiles(ms: list[float]) -> dict[str, float]:
    return {"median": float(np.median(ms)), "p99": float(np.percentile(ms, 99))}


def _line(name: str, value: str, goal: str = "") -> None:
    print(f"  {name:<44} {value:>18}   {goal}")


def main() -> None:
    from sklearn.svm import LinearSVC

    from nlu import DEFAULT_DATA_DIR, Interpreter
    from nlu.entities.calendar_dates import warm_up
    from nlu.evaluation import cross_validate, evaluate, read_labelled
    from nlu.model import train_model
    from nlu.normalise import normalise
    from nlu.training_data import load_training_data

    results: dict = {"machine": platform.platform(), "python": platform.python_version()}
    data = load_training_data(DEFAULT_DATA_DIR)
    print(f"training data: {len(data.examples)} examples, {len(data.intents)} intents")

    started = time.perf_counter()
    model = train_model(data)
    train_seconds = time.perf_counter() - started
    results["train_seconds"] = train_seconds
    parser = Interpreter(model)

    heldout = {
        lang: read_labelled(HELDOUT / f"heldout_{lang}.jsonl")
        for lang in ("fr", "en")
        if (HELDOUT / f"heldout_{lang}.jsonl").exists()
    }
    mix = [ex.text for examples in heldout.values() for ex in examples]
    mix += [e.text for e in data.examples[::10]]

    # Latency. First pass: cold caches (dateparser's locale data is loaded at start-up).
    warm_up()
    cold = []
    for text in mix:
        t = time.perf_counter()
        parser.parse(text)
        cold.append((time.perf_counter() - t) * 1000)
    warm = []
    for _ in range(3):
        for text in mix:
            t = time.perf_counter()
            parser.parse(text)
            warm.append((time.perf_counter() - t) * 1000)
    # Baseline: the same features and weights through scikit-learn's public API.
    baseline_model = LinearSVC()
    scorer = model.intent_scorer("fr")
    baseline_model.coef_ = scorer.coef.T
    baseline_model.intercept_ = scorer.intercept
    baseline_model.classes_ = np.array(scorer.classes)
    base = []
    for _ in range(3):
        for text in mix:
            t = time.perf_counter()
            baseline_model.decision_function(model.vectoriser.transform([normalise(text)]))
            base.append((time.perf_counter() - t) * 1000)
    results["parse_ms"] = {"warm": _percentiles(warm), "cold_first_pass": _percentiles(cold)}
    results["baseline_sklearn_predict_ms"] = _percentiles(base)
    results["mix_size"] = len(mix)

    # Accuracy: cross-validation on the training data, then the held-out sets.
    cv = cross_validate(data, FOLDS)
    pooled = cv.pooled()
    results["cross_validation"] = {
        "folds": FOLDS,
        "intent_accuracy": cv.accuracy,
        "intent_top1_accuracy": cv.top1_accuracy,
        "service_accuracy": cv.service_accuracy,
        "calibration_error": pooled.calibration_error,
        "per_fold_intent": [f.accuracy for f in cv.folds],
        "fold_train_seconds": cv.train_seconds,
    }
    seen = {normalise(e.text) for e in data.examples}
    results["heldout"] = {}
    for lang, examples in heldout.items():
        report = evaluate(parser, examples)
        unseen = [ex for ex in examples if normalise(ex.text) not in seen]
        unseen_report = evaluate(parser, unseen)
        detected = [parser.parse(ex.text)["language"] == lang for ex in examples]
        results["heldout"][lang] = {
            "examples": len(examples),
            "language_detection_accuracy": sum(detected) / len(detected),
            "intent_accuracy": report.accuracy,
            "service_accuracy": report.service_accuracy,
            "by_style": report.by_style(),
            "also_in_training_data": len(examples) - len(unseen),
            "intent_accuracy_unseen_only": unseen_report.accuracy,
        }

    _print(results)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "nlu.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"  (written to {out / 'nlu.json'})")


def _print(r: dict) -> None:
    warm, cold, base = (
        r["parse_ms"]["warm"],
        r["parse_ms"]["cold_first_pass"],
        r["baseline_sklearn_predict_ms"],
    )
    cv = r["cross_validation"]
    print("\nNLU local model")
    _line("training time (all data)", f"{r['train_seconds']:.1f} s", "goal <= 30 s")
    _line(
        f"parse median / p99 ({r['mix_size']} messages x3)",
        f"{warm['median']:.3f} / {warm['p99']:.2f} ms",
        "goal median <= 2 ms",
    )
    _line("  first pass, cold caches", f"{cold['median']:.3f} / {cold['p99']:.2f} ms")
    _line(
        "baseline: sklearn transform+decision, intent only",
        f"{base['median']:.3f} / {base['p99']:.2f} ms",
    )
    _line(
        "  full parse / baseline (median)",
        f"{warm['median'] / base['median']:.2f}x",
        "(ours also extracts entities)",
    )
    _line(
        f"cross-validated intent accuracy ({cv['folds']} folds)",
        f"{cv['intent_accuracy']:.3f}",
        "goal >= 0.95 (fallback counts as error)",
    )
    _line("  top-1, ignoring the fallback", f"{cv['intent_top1_accuracy']:.3f}")
    _line("cross-validated service accuracy", f"{cv['service_accuracy']:.3f}", "goal >= 0.95")
    _line("calibration error (ECE, pooled folds)", f"{cv['calibration_error']:.3f}", "0 = perfect")
    for lang, h in r["heldout"].items():
        _line(
            f"held-out {lang}: intent / service ({h['examples']})",
            f"{h['intent_accuracy']:.3f} / {h['service_accuracy']:.3f}",
        )
        _line(f"  {lang} language detected correctly", f"{h['language_detection_accuracy']:.3f}")
        _line(
            f"  {lang} without the {h['also_in_training_data']} also in training",
            f"{h['intent_accuracy_unseen_only']:.3f}",
        )
