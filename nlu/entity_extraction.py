"""All entities of one message, in Rasa's format, with offsets into the original text.

Extractors run in a fixed order and a later one never takes characters an earlier one
took: service, duration ("pendant 2 heures" is not a time), price, time, place, person.
Within one extractor the longest match wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from nlu.entities.amounts import extract_durations, extract_prices
from nlu.entities.places_people import extract_people, extract_places
from nlu.entities.service_lexicon import ServiceLexicon, tokens
from nlu.entities.time_expressions import extract_times
from nlu.interface import Entity

SERVICE_INTENTS = ("request_help", "offer_help")

# What the service classifier answers: (service, probability, per-word weights for it).
ServiceGuess = tuple[str, float, Callable[[str], float]]

Span = tuple[int, int]
Found = tuple[int, int, Any]


def _free(start: int, end: int, claimed: list[Span]) -> bool:
    return all(end <= s or start >= e for s, e in claimed)


def _claim(found: list[Found], claimed: list[Span], entity: str, extractor: str) -> list[Entity]:
    out: list[Entity] = []
    for start, end, value in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if start < end and _free(start, end, claimed):
            claimed.append((start, end))
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


def _trim(text: str, start: int, end: int) -> Span:
    """Spans never start or end on blanks or trailing punctuation."""
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:.!?"):
        end -= 1
    return start, end


def service_entities(
    text: str,
    folded: str,
    lexicon: ServiceLexicon,
    intent: str,
    guess: Callable[[], ServiceGuess | None],
) -> list[Entity]:
    matches = lexicon.match(folded)
    entities: list[Entity] = []
    for m in matches:
        entity: Entity = {
            "entity": "service",
            "value": m.service,
            "start": m.start,
            "end": m.end,
            "extractor": "ServiceLexiconFuzzy" if m.fuzzy else "ServiceLexicon",
            "confidence_entity": round(m.score, 4),
        }
        entities.append(entity)
    if len({e["value"] for e in entities}) > 1:
        # Several services named: rank them by what the classifier thinks of the whole text.
        result = guess()
        if result is not None:
            service, probability, _ = result
            for e in entities:
                if e["value"] == service:
                    e["confidence_entity"] = round(max(probability, 0.5), 4)
                else:
                    e["confidence_entity"] = round(min(e.get("confidence_entity", 1.0), 0.49), 4)
    if entities or intent not in SERVICE_INTENTS:
        return entities
    result = guess()
    if result is None:
        return []
    service, probability, weight_of = result
    # Point at the word that weighs most for this service; the whole text if none does.
    best = max(tokens(folded), key=lambda t: weight_of(t[0]), default=None)
    if best is not None and weight_of(best[0]) > 0:
        start, end, how = best[1], best[2], "keyword"
    else:
        start, end, how = *_trim(text, 0, len(text)), "whole_text"
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
    lexicon: ServiceLexicon,
    guess_service: Callable[[], ServiceGuess | None],
    place_gazetteer: list[re.Pattern[str]],
    person_gazetteer: list[re.Pattern[str]],
) -> list[Entity]:
    entities = service_entities(text, folded, lexicon, intent, guess_service)
    claimed: list[Span] = [(e["start"], e["end"]) for e in entities]
    entities += _claim(extract_durations(folded), claimed, "duration", "DurationRules")
    entities += _claim(extract_prices(folded), claimed, "price", "PriceRules")
    times = extract_times(folded, now=now, language=language, claimed=claimed)
    entities += _claim(times, claimed, "time", "TimeRules")
    entities += _claim(
        extract_places(folded, text, place_gazetteer), claimed, "place", "PlaceRules"
    )
    entities += _claim(
        extract_people(folded, text, person_gazetteer), claimed, "person", "PersonRules"
    )
    return sorted(entities, key=lambda e: (e["start"], e["end"]))
