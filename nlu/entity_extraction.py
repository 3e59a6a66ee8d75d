"""All entities of one message, in Rasa's format, with offsets into the original text.

Extractors run in a fixed order and a later one never takes characters an earlier one
took: service, duration ("pendant 2 heures" is not a time), price, time, place, person.
Within one extractor the longest match wins. Spans never start or end on a blank.

`service` is only looked for where a service can be meant: not in a greeting, an
emergency ("le feu dans la cuisine" is not a meal), a neighbourhood alert ("chat perdu") or
small talk. The service classifier's guess is only used for `request_help`/`offer_help`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nlu.entities.amounts import extract_durations, extract_prices
from nlu.entities.places_people import extract_people, extract_places, gazetteer_patterns
from nlu.entities.service_lexicon import FUNCTION_WORDS, ServiceLexicon, tokens
from nlu.entities.time_expressions import extract_times
from nlu.interface import Entity
from nlu.normalise import fold
from nlu.training_data import TrainingData

SERVICE_INTENTS = ("request_help", "offer_help")
# Below this the classifier's service guess is not worth saying ("j'ai besoin de quelqu'un").
MIN_GUESS_CONFIDENCE = 0.35
NO_SERVICE_INTENTS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "repeat",
        "talk_to_human",
        "emergency",
        "post_alert",
        "out_of_scope",
    }
)

# What the service classifier answers: (service, probability, per-word weights for it).
ServiceGuess = tuple[str, float, Callable[[str], float]]

Span = tuple[int, int]
Found = tuple[int, int, Any]


@dataclass
class EntityResources:
    """What the extractors learn from the training data."""

    lexicon: ServiceLexicon
    place_patterns: list[re.Pattern[str]] = field(default_factory=list)
    person_patterns: list[re.Pattern[str]] = field(default_factory=list)
    # Words frequent in the training data (names excepted): "madame euh" is no name.
    common_words: frozenset[str] = frozenset()

    @classmethod
    def build(cls, data: TrainingData, service_ids: list[str]) -> EntityResources:
        # Words of the examples outside person and place spans: "petit" is common even
        # though someone is called Petit.
        counts: Counter[str] = Counter()
        for example in data.examples:
            text = fold(example.text)
            for e in example.entities:
                if e.entity in ("person", "place"):
                    text = text[: e.start] + " " * (e.end - e.start) + text[e.end :]
            counts.update(word for word, _, _ in tokens(text))
        return cls(
            lexicon=ServiceLexicon.build(data, service_ids),
            place_patterns=gazetteer_patterns(_phrases(data, ("place", "landmark"))),
            person_patterns=gazetteer_patterns(_phrases(data, ("person",))),
            common_words=frozenset(w for w, c in counts.items() if c >= 3),
        )


def _phrases(data: TrainingData, kinds: tuple[str, ...]) -> list[str]:
    """Annotated spans and lookup entries of some entity types, folded."""
    found = [fold(e.text) for ex in data.examples for e in ex.entities if e.entity in kinds]
    for name, entries in data.lookups.items():
        if name in kinds or name.rstrip("s") in kinds:
            found.extend(fold(entry) for entry in entries)
    return found


def _free(start: int, end: int, claimed: list[Span]) -> bool:
    return all(end <= s or start >= e for s, e in claimed)


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:.!?"):
        end -= 1
    return start, end


def _claim(
    text: str, found: list[Found], claimed: list[Span], entity: str, extractor: str
) -> list[Entity]:
    out: list[Entity] = []
    for raw_start, raw_end, value in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        start, end = _trim(text, raw_start, raw_end)
        if start < end and _free(start, end, claimed):
            claimed.append((start, end))
            if isinstance(value, str):  # words as said: follow the trimmed span
                value = text[start:end]
            out.append(
                {
                    "entity": entity,
                    "value": value,
                    "start": start,
                    "end": end,
                    "extractor": extractor,
                }
            )
    return out


def service_entities(
    text: str,
    folded: str,
    lexicon: ServiceLexicon,
    intent: str,
    guess: Callable[[], ServiceGuess | None],
    avoid: list[Span] | None = None,
) -> list[Entity]:
    """`avoid`: spans of other entities (amounts, addresses) that a guess must not point at."""
    if intent in NO_SERVICE_INTENTS:
        return []
    entities: list[Entity] = [
        {
            "entity": "service",
            "value": m.service,
            "start": m.start,
            "end": m.end,
            "extractor": "ServiceLexiconFuzzy" if m.fuzzy else "ServiceLexicon",
            "confidence_entity": round(m.score, 4),
        }
        for m in lexicon.match(folded)
    ]
    if len({e["value"] for e in entities}) > 1:
        # Several services named: rank them by what the classifier thinks of the whole text.
        result = guess()
        if result is not None:
            service = result[0]
            for e in entities:
                best = e["value"] == service
                e["confidence_entity"] = round(
                    max(result[1], 0.5) if best else min(e.get("confidence_entity", 1.0), 0.49), 4
                )
    if entities or intent not in SERVICE_INTENTS:
        return entities
    result = guess()
    if result is None:
        return []
    service, probability, weight_of = result
    if probability < MIN_GUESS_CONFIDENCE:
        return []
    # Point at the word that weighs most for this service ("de" never counts); the whole
    # text if no word does.
    avoid = avoid or []
    words = [
        t
        for t in tokens(folded)
        if len(t[0]) >= 4
        and t[0] not in FUNCTION_WORDS
        and not any(s < t[2] and t[1] < e for s, e in avoid)
    ]
    best_word = max(words, key=lambda t: weight_of(t[0]), default=None)
    if best_word is not None and weight_of(best_word[0]) > 0:
        start, end, how = best_word[1], best_word[2], "keyword"
    elif not avoid:
        start, end, how = *_trim(text, 0, len(text)), "whole_text"
    else:  # the whole text would hide the address or the amount
        return []
    return [
        {
            "entity": "service",
            "value": service,
            "start": start,
            "end": end,
            "extractor": f"ServiceClassifier:{how}",
            "confidence_entity": round(probability, 4),
        }
    ]


def extract_entities(
    text: str,
    folded: str,
    *,
    now: datetime,
    language: str,
    intent: str,
    resources: EntityResources,
    guess_service: Callable[[], ServiceGuess | None],
) -> list[Entity]:
    prices = extract_prices(folded)
    common = resources.common_words
    places = extract_places(folded, text, resources.place_patterns, common)
    # The classifier's guess never hides an amount ("dix euros" is not a service) nor an
    # address (a street name is no service, whatever words it shares with one).
    entities = service_entities(
        text,
        folded,
        resources.lexicon,
        intent,
        guess_service,
        [(start, end) for start, end, _ in prices + places],
    )
    claimed: list[Span] = [(e["start"], e["end"]) for e in entities]
    steps: list[tuple[str, str, list[Found]]] = [
        ("duration", "DurationRules", extract_durations(folded)),
        ("price", "PriceRules", prices),
    ]
    for entity, extractor, found in steps:
        entities += _claim(text, found, claimed, entity, extractor)
    times = extract_times(folded, now=now, language=language, claimed=claimed)
    entities += _claim(text, times, claimed, "time", "TimeRules")
    entities += _claim(text, places, claimed, "place", "PlaceRules")
    people = extract_people(folded, text, resources.person_patterns, common)
    entities += _claim(text, people, claimed, "person", "PersonRules")
    return sorted(entities, key=lambda e: (e["start"], e["end"]))
