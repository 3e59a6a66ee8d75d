"""Measure a parser on labelled examples, and cross-validate the local model.

Labelled examples come from a JSON-lines file (`{"text", "intent", "service"?, "style"?,
"lang"?}` per line: the held-out format) or from Rasa YAML training data.

Two intent accuracies are reported: *as returned* (a fallback counts as an error, as in
`rasa test nlu`) and *top-1* (the best real intent, whatever its confidence). Service
accuracy is measured on the examples that name a service: the parser's main `service`
entity (the most confident one) must be that service.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from nlu.config import ModelConfig
from nlu.interface import FALLBACK_INTENT, IntentParser, ParseResult
from nlu.interpreter import Interpreter
from nlu.model import train_model
from nlu.training_data import TrainingData, load_training_data


@dataclass(frozen=True)
class LabelledExample:
    text: str
    intent: str
    service: str | None = None
    style: str | None = None
    language: str | None = None


def read_labelled(path: Path) -> list[LabelledExample]:
    """A .jsonl file (held-out format) or a Rasa YAML file or directory."""
    path = Path(path)
    if path.is_dir() or path.suffix in (".yml", ".yaml"):
        data = _read_yaml(path)
        return [
            LabelledExample(e.text, e.intent, e.service, None, e.language) for e in data.examples
        ]
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(
                LabelledExample(
                    str(row["text"]),
                    str(row["intent"]),
                    row.get("service") or None,
                    row.get("style"),
                    row.get("lang") or row.get("language"),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled example ({exc})") from exc
    return examples


def _read_yaml(path: Path) -> TrainingData:
    if path.is_dir():
        return load_training_data(path)
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / path.name)
        return load_training_data(Path(tmp))


def main_service(result: ParseResult) -> str | None:
    services = [e for e in result["entities"] if e["entity"] == "service"]
    if not services:
        return None
    return max(services, key=lambda e: e.get("confidence_entity", 1.0))["value"]


@dataclass
class Report:
    labels: list[str]
    gold: list[str]
    predicted: list[str]  # as returned, fallback included
    top1: list[str]  # best real intent
    service_gold: list[str | None]
    service_predicted: list[str | None]
    styles: list[str | None]
    texts: list[str]
    latencies_ms: list[float] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)  # of the best real intent

    @property
    def accuracy(self) -> float:
        return _share(g == p for g, p in zip(self.gold, self.predicted, strict=True))

    @property
    def top1_accuracy(self) -> float:
        return _share(g == p for g, p in zip(self.gold, self.top1, strict=True))

    @property
    def fallback_rate(self) -> float:
        return _share(p == FALLBACK_INTENT for p in self.predicted)

    @property
    def service_accuracy(self) -> float:
        pairs = [
            (g, p) for g, p in zip(self.service_gold, self.service_predicted, strict=True) if g
        ]
        return _share(g == p for g, p in pairs) if pairs else float("nan")

    @property
    def calibration_error(self) -> float:
        """Expected calibration error of the best real intent (10 bins): 0 is perfect."""
        if not self.confidences:
            return float("nan")
        conf = np.array(self.confidences)
        right = np.array([g == p for g, p in zip(self.gold, self.top1, strict=True)])
        bins = np.minimum((conf * 10).astype(int), 9)
        return float(
            sum(
                abs(conf[bins == b].mean() - right[bins == b].mean()) * (bins == b).mean()
                for b in range(10)
                if (bins == b).any()
            )
        )

    @property
    def service_count(self) -> int:
        return sum(1 for g in self.service_gold if g)

    def per_intent(self) -> dict[str, dict[str, float]]:
        p, r, f, s = precision_recall_fscore_support(
            self.gold, self.predicted, labels=self.labels, zero_division=0
        )
        return {
            label: {"precision": p[i], "recall": r[i], "f1-score": f[i], "support": int(s[i])}
            for i, label in enumerate(self.labels)
        }

    def by_style(self) -> dict[str, float]:
        groups: dict[str, list[bool]] = defaultdict(list)
        for style, g, p in zip(self.styles, self.gold, self.predicted, strict=True):
            groups[style or "-"].append(g == p)
        return {style: _share(v) for style, v in sorted(groups.items())}

    def confusion(self) -> tuple[list[str], np.ndarray]:
        labels = list(self.labels)
        if FALLBACK_INTENT in self.predicted:
            labels.append(FALLBACK_INTENT)
        return labels, confusion_matrix(self.gold, self.predicted, labels=labels)

    def errors(self) -> list[dict[str, Any]]:
        return [
            {"text": t, "intent": g, "predicted": p, "style": s}
            for t, g, p, s in zip(self.texts, self.gold, self.predicted, self.styles, strict=True)
            if g != p
        ]

    def as_dict(self) -> dict[str, Any]:
        lat = np.array(self.latencies_ms or [0.0])
        return {
            "examples": len(self.gold),
            "accuracy": self.accuracy,
            "top1_accuracy": self.top1_accuracy,
            "fallback_rate": self.fallback_rate,
            "calibration_error": self.calibration_error,
            "service_accuracy": self.service_accuracy,
            "service_examples": self.service_count,
            "by_style": self.by_style(),
            "per_intent": self.per_intent(),
            "latency_ms": {"median": float(np.median(lat)), "p99": float(np.percentile(lat, 99))},
        }


def _share(values: Iterable[bool]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def evaluate(
    parser: IntentParser, examples: Sequence[LabelledExample], *, give_language: bool = False
) -> Report:
    """Parse every example; the language is detected unless `give_language`."""
    predicted, top1, services, latencies, confidences = [], [], [], [], []
    for ex in examples:
        started = time.perf_counter()
        result = parser.parse(ex.text, lang=ex.language if give_language else None)
        latencies.append((time.perf_counter() - started) * 1000)
        predicted.append(result["intent"]["name"])
        real = [r for r in result["intent_ranking"] if r["name"] != FALLBACK_INTENT]
        top1.append(real[0]["name"] if real else FALLBACK_INTENT)
        confidences.append(real[0]["confidence"] if real else 0.0)
        services.append(main_service(result))
    labels = sorted({ex.intent for ex in examples} | (set(top1) - {FALLBACK_INTENT}))
    return Report(
        labels=labels,
        gold=[ex.intent for ex in examples],
        predicted=predicted,
        top1=top1,
        service_gold=[ex.service for ex in examples],
        service_predicted=services,
        styles=[ex.style for ex in examples],
        texts=[ex.text for ex in examples],
        latencies_ms=latencies,
        confidences=confidences,
    )


@dataclass
class CrossValidation:
    folds: list[Report]
    train_seconds: list[float]

    @property
    def accuracy(self) -> float:
        return float(np.mean([f.accuracy for f in self.folds]))

    @property
    def top1_accuracy(self) -> float:
        return float(np.mean([f.top1_accuracy for f in self.folds]))

    @property
    def service_accuracy(self) -> float:
        return float(np.mean([f.service_accuracy for f in self.folds]))

    def pooled(self) -> Report:
        """All folds' predictions together: one report over every training example."""
        first = self.folds[0]
        merged = Report(first.labels, [], [], [], [], [], [], [], [])
        for f in self.folds:
            merged.labels = sorted(set(merged.labels) | set(f.labels))
            for name in (
                "gold",
                "predicted",
                "top1",
                "service_gold",
                "service_predicted",
                "styles",
                "texts",
                "latencies_ms",
                "confidences",
            ):
                getattr(merged, name).extend(getattr(f, name))
        return merged


def fold_indices(
    data: TrainingData, folds: int, seed: int = 42
) -> list[tuple[list[int], list[int]]]:
    """Stratified folds on intent (the same folds for our model and for Rasa's)."""
    labels = [e.intent for e in data.examples]
    smallest = min(Counter(labels).values())
    splitter = StratifiedKFold(min(folds, smallest), shuffle=True, random_state=seed)
    return [(list(tr), list(te)) for tr, te in splitter.split(np.zeros(len(labels)), labels)]


def cross_validate(
    data: TrainingData,
    folds: int = 5,
    *,
    config: ModelConfig | None = None,
    on_fold: Callable[[int, Report], None] | None = None,
    **interpreter_options: Any,
) -> CrossValidation:
    reports, seconds = [], []
    for number, (train, test) in enumerate(fold_indices(data, folds), 1):
        started = time.perf_counter()
        model = train_model(data.subset(train), config)
        seconds.append(time.perf_counter() - started)
        parser = Interpreter(model, **interpreter_options)
        held = [
            LabelledExample(e.text, e.intent, e.service, None, e.language)
            for e in (data.examples[i] for i in test)
        ]
        report = evaluate(parser, held)
        reports.append(report)
        if on_fold:
            on_fold(number, report)
    return CrossValidation(reports, seconds)
