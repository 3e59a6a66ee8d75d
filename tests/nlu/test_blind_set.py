"""The issue-13 goal on the blind set (tests/nlu/blind, see its README): intent and `service`
accuracy >= 0.97 on each file, and none of its sentences in the training data.

The blind lines were written by someone who never saw nlu/data; they are measured here, never
trained on. Whoever tunes the model must not read the failure messages below (they quote the
misclassified lines): run this file with `-q --tb=no` and look at pass/fail only.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from nlu import DEFAULT_DATA_DIR
from nlu.evaluation import evaluate, read_labelled
from nlu.interpreter import Interpreter
from nlu.normalise import fold
from nlu.training_data import TrainingData, load_training_data

HERE = Path(__file__).parent
GOAL = 0.97
FILES = ("voice", "telegram")
# Measured 2026-12-04 (aggregate figures only, `coupdemain nlu test`), after the training lines
# equal to blind lines were removed: blind voice 0.975 / 0.990, blind telegram 0.960 / 0.990
# (intent / service); blind2 voice 0.933 / 0.976, blind2 telegram 0.973 / 0.976. The files
# below the goal are expected to fail until it is reached; strict=False so that reaching it
# shows as XPASS instead of breaking the build.
SETS = ("blind", "blind2")
BELOW_GOAL = {("blind", "telegram"), ("blind2", "voice")}
GOAL_CASES = [
    pytest.param(
        folder,
        name,
        marks=[pytest.mark.xfail(reason="issue 13: accuracy below 0.97", strict=False)]
        if (folder, name) in BELOW_GOAL
        else [],
        id=f"{folder}-{name}",
    )
    for folder in SETS
    for name in FILES
]


def collapsed(text: str) -> str:
    """Lowercase, no accents, every run of punctuation or blanks one space (emojis stay:
    "👍" and "🙏" are different answers)."""
    kept = "".join(" " if unicodedata.category(c)[0] in "PZ" else c for c in fold(text))
    return " ".join(kept.split())


def confusions(pairs: list[tuple[str, str]]) -> str:
    """'check_status -> request_help: 2' lines, most frequent first: counts, no texts."""
    counted = Counter(pairs)
    return "\n".join(f"{gold} -> {got}: {n}" for (gold, got), n in counted.most_common())


@pytest.mark.parametrize(("folder", "name"), GOAL_CASES)
def test_intent_and_service_accuracy_reach_the_goal(
    folder: str, name: str, interpreter: Interpreter, training_data: TrainingData
) -> None:
    if {e.language for e in training_data.examples} != {"fr", "en"}:
        pytest.skip("the goal is about the real training data (nlu/data/fr and nlu/data/en)")
    examples = read_labelled(HERE / folder / f"{name}.jsonl")
    report = evaluate(interpreter, examples)
    wrong = [(str(e["intent"]), str(e["predicted"])) for e in report.errors()]
    assert report.accuracy >= GOAL, (
        f"{folder}/{name}: intent {report.accuracy:.3f}\n{confusions(wrong)}"
    )
    wrong_services = [
        (str(gold), str(got))
        for gold, got in zip(report.service_gold, report.service_predicted, strict=True)
        if gold and gold != got
    ]
    assert report.service_accuracy >= GOAL, (
        f"{folder}/{name}: service {report.service_accuracy:.3f}\n{confusions(wrong_services)}"
    )


@pytest.mark.parametrize("folder", SETS)
@pytest.mark.parametrize("name", FILES)
def test_no_blind_sentence_is_in_the_training_data(
    folder: str, name: str, training_data: TrainingData
) -> None:
    """Exact sentences of three words or more, and longer ones (five or more) inside a
    training sentence. One- and two-word answers ("oui", "merci beaucoup", "👍") are exempt:
    a hotline model must know them, and anyone writing for these intents writes them.
    Read from nlu/data itself: the session's training data may be the small fixture set."""
    examples = load_training_data(DEFAULT_DATA_DIR).examples if DEFAULT_DATA_DIR.exists() else []
    trained = {collapsed(e.text) for e in [*examples, *training_data.examples]}
    everything = " | ".join(sorted(trained))
    leaked = []
    for example in read_labelled(HERE / folder / f"{name}.jsonl"):
        text = collapsed(example.text)
        words = len(text.split())
        if (words >= 3 and text in trained) or (words >= 5 and f" {text} " in f" {everything} "):
            leaked.append(example.text)
    # The count only (not `assert not leaked`, which pytest would print): the sentences would be
    # read by whoever writes training data next.
    count = len(leaked)
    assert count == 0, f"{count} sentences of {folder}/{name} are in nlu/data"


def test_collapsed_ignores_case_accents_and_punctuation() -> None:
    assert collapsed("  Bjr !! Qqn pr mes COURSES, svp ? 🙏") == "bjr qqn pr mes courses svp 🙏"
    assert collapsed("j'ai") == collapsed("J’AI") == "j ai"
