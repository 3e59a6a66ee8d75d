"""The issue-13 goal on the blind set (tests/nlu/blind, see its README): intent and `service`
accuracy >= 0.97 on each file, and none of its sentences in the training data.

The blind lines were written by someone who never saw nlu/data; they are measured here, never
trained on. Whoever tunes the model must not read the failure messages below (they quote the
misclassified lines): run this file with `-q --tb=no` and look at pass/fail only.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from nlu import DEFAULT_DATA_DIR
from nlu.evaluation import evaluate, read_labelled
from nlu.interpreter import Interpreter
from nlu.normalise import fold
from nlu.training_data import TrainingData, load_training_data

BLIND = Path(__file__).parent / "blind"
GOAL = 0.97
FILES = ("voice", "telegram")
# Measured 2026-12-04 (aggregate figures only): voice intent 0.975 / service 0.990, telegram
# 0.963 / 0.990; after one more batch of training lines voice passed and telegram still
# failed (pass/fail only). Telegram is expected to fail until the goal is reached;
# strict=False so that reaching it shows as XPASS instead of breaking the build.
GOAL_CASES = [
    "voice",
    pytest.param(
        "telegram",
        marks=pytest.mark.xfail(
            reason="issue 13: Telegram accuracy still below 0.97", strict=False
        ),
    ),
]


def collapsed(text: str) -> str:
    """Lowercase, no accents, every run of punctuation or blanks one space (emojis stay:
    "👍" and "🙏" are different answers)."""
    kept = "".join(" " if unicodedata.category(c)[0] in "PZ" else c for c in fold(text))
    return " ".join(kept.split())


@pytest.mark.parametrize("name", GOAL_CASES)
def test_intent_and_service_accuracy_reach_the_goal(
    name: str, interpreter: Interpreter, training_data: TrainingData
) -> None:
    if {e.language for e in training_data.examples} != {"fr", "en"}:
        pytest.skip("the goal is about the real training data (nlu/data/fr and nlu/data/en)")
    examples = read_labelled(BLIND / f"{name}.jsonl")
    report = evaluate(interpreter, examples)
    wrong = [f"{e['intent']} -> {e['predicted']}: {e['text']}" for e in report.errors()]
    assert report.accuracy >= GOAL, f"{name}: intent {report.accuracy:.3f}\n" + "\n".join(wrong)
    wrong_services = [
        f"{gold} -> {got}: {text}"
        for text, gold, got in zip(
            report.texts, report.service_gold, report.service_predicted, strict=True
        )
        if gold and gold != got
    ]
    assert report.service_accuracy >= GOAL, (
        f"{name}: service {report.service_accuracy:.3f}\n" + "\n".join(wrong_services)
    )


@pytest.mark.parametrize("name", FILES)
def test_no_blind_sentence_is_in_the_training_data(name: str, training_data: TrainingData) -> None:
    """Exact sentences of three words or more, and longer ones (five or more) inside a
    training sentence. One- and two-word answers ("oui", "merci beaucoup", "👍") are exempt:
    a hotline model must know them, and anyone writing for these intents writes them.
    Read from nlu/data itself: the session's training data may be the small fixture set."""
    examples = load_training_data(DEFAULT_DATA_DIR).examples if DEFAULT_DATA_DIR.exists() else []
    trained = {collapsed(e.text) for e in [*examples, *training_data.examples]}
    everything = " | ".join(sorted(trained))
    leaked = []
    for example in read_labelled(BLIND / f"{name}.jsonl"):
        text = collapsed(example.text)
        words = len(text.split())
        if (words >= 3 and text in trained) or (words >= 5 and f" {text} " in f" {everything} "):
            leaked.append(example.text)
    assert not leaked, f"{len(leaked)} blind sentences in nlu/data:\n" + "\n".join(leaked)


def test_collapsed_ignores_case_accents_and_punctuation() -> None:
    assert collapsed("  Bjr !! Qqn pr mes COURSES, svp ? 🙏") == "bjr qqn pr mes courses svp 🙏"
    assert collapsed("j'ai") == collapsed("J’AI") == "j ai"
