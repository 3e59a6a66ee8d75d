"""Dispatchers' corrections as training examples: Rasa-format, merged over the data.

A correction is plain values (the text as it will be trained on, its language, the right
intent, the right service or none) that the caller read from wherever it keeps them; `nlu`
reads no database. Each becomes an `Example` written as in nlu/data: its service entity is
put on the words that name the service when the data knows them ("mes [courses](service:
errands)"), else on the whole sentence (the service model reads the sentence anyway).

A correction wins: a training example with the same words (ignoring case and spaces) and
another label is dropped, and the merge says which. Of two corrections with the same words,
the later wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from nlu.rasa_export import dump_yaml, nlu_document
from nlu.training_data import Example, TrainingData, parse_annotated

SOURCE = "dispatcher corrections"


@dataclass(frozen=True)
class Correction:
    text: str
    language: str
    intent: str
    service: str | None = None


@dataclass(frozen=True)
class Overridden:
    """A training example a correction replaced."""

    text: str
    source: str
    was: str  # "intent" or "intent/service"
    now: str


@dataclass
class Merged:
    data: TrainingData
    examples: list[Example] = field(default_factory=list)  # the corrections, as examples
    overridden: list[Overridden] = field(default_factory=list)
    already_known: int = 0  # corrections the data already said, label and all


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _label(intent: str, service: str | None) -> str:
    return f"{intent}/{service}" if service else intent


def _surfaces(data: TrainingData) -> dict[str, list[str]]:
    """Per service, the words the data knows for it, longest first."""
    found: dict[str, set[str]] = {}
    for surface, value in data.synonyms.items():
        found.setdefault(value, set()).add(surface)
    for example in data.examples:
        for entity in example.entities:
            if entity.entity == "service":
                found.setdefault(entity.value, set()).add(entity.text.casefold())
    return {value: sorted(words, key=len, reverse=True) for value, words in found.items()}


def _plain(text: str) -> str:
    """One line without Rasa's markup characters: the masks' "[numéro masqué]" would read as
    an annotation, or break the one around it."""
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def to_example(correction: Correction, surfaces: dict[str, list[str]]) -> Example:
    text = _plain(correction.text)
    raw = text
    if correction.service:
        span = None
        for word in surfaces.get(correction.service, []):
            match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)
            if match:
                span = match.span()
                break
        start, end = span or (0, len(text))
        annotation = f'{{"entity": "service", "value": "{correction.service}"}}'
        raw = f"{text[:start]}[{text[start:end]}]{annotation}{text[end:]}"
    plain, entities = parse_annotated(raw)
    return Example(plain, correction.intent, tuple(entities), correction.language, SOURCE, raw)


def with_corrections(data: TrainingData, corrections: Iterable[Correction]) -> Merged:
    """The data with the corrections added (they win over examples with the same words)."""
    latest: dict[str, Correction] = {}
    for item in corrections:
        key = _key(_plain(item.text))
        if key:
            latest.pop(key, None)  # re-inserted last: the order is the corrections' own
            latest[key] = item
    surfaces = _surfaces(data)
    merged = Merged(data=data)
    kept: list[Example] = []
    for example in data.examples:
        correction = latest.get(_key(example.text))
        if correction is None:
            kept.append(example)
            continue
        same = (example.intent, example.service) == (correction.intent, correction.service)
        if same:
            merged.already_known += 1
            kept.append(example)
            latest.pop(_key(example.text))
        else:
            merged.overridden.append(
                Overridden(
                    example.text,
                    example.source,
                    _label(example.intent, example.service),
                    _label(correction.intent, correction.service),
                )
            )
    merged.examples = [to_example(c, surfaces) for c in latest.values()]
    merged.data = replace(data, examples=[*kept, *merged.examples])
    return merged


def corrections_yaml(examples: Sequence[Example], header: str = "") -> str:
    """The examples as a Rasa NLU file (version 3.1), grouped by intent."""
    document = dump_yaml(nlu_document(TrainingData(examples=list(examples))))
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + document
