"""What an intent parser answers, and the interface the dialogue engine depends on.

The shapes mirror Rasa's `POST /model/parse` response so that the local model and a Rasa
server are interchangeable:

    {"text": "...", "intent": {"name": "request_help", "confidence": 0.93},
     "intent_ranking": [{"name": ..., "confidence": ...}, ...],   # best first, at most 10
     "entities": [{"entity": "service", "value": "errands", "start": 20, "end": 27,
                   "extractor": "ServiceLexicon"}],
     "language": "fr"}                                          # our addition

Entity values by entity type (documented here because the dialogue engine reads them):

- `service`: one of the ids of NLU_TAXONOMY.md (`errands`, `diy`, ...).
- `time`: `{"from": ISO-8601, "to": ISO-8601, "grain": str}`, a half-open window
  `[from, to)` in the timezone of `now` (Europe/Paris by default). The grain says how precise
  the speaker was: `minute`, `hour` (a bare hour: a one-hour window), `part_of_day`
  (morning 08-12, afternoon 14-18, evening 18-21, noon 12-14), `day`, `weekend`, `week`, or
  `now` ("tout de suite": the next hour). Like Duckling's intervals, but with the grain inline.
- `price`: `{"amount": int cents, "currency": "EUR" | "GBP" | "USD" | "TIME_CREDIT",
  "free": bool}`; "gratuit", "bénévole", "for free" give `amount` 0 and `free` true.
- `duration`: `{"minutes": int}`.
- `place`, `person`: the words as written (`str`).

When the intent confidence is below the fallback threshold the intent is `nlu_fallback` with
the threshold as its confidence (as Rasa's FallbackClassifier does), and the ranking still
lists the real intents after it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, Protocol, TypedDict, runtime_checkable

FALLBACK_INTENT = "nlu_fallback"
DEFAULT_FALLBACK_THRESHOLD = 0.3
RANKING_LENGTH = 10


class IntentPrediction(TypedDict):
    name: str
    confidence: float


class Entity(TypedDict):
    entity: str
    value: Any
    start: int
    end: int
    extractor: str
    confidence_entity: NotRequired[float]


class ParseResult(TypedDict):
    text: str
    intent: IntentPrediction
    intent_ranking: list[IntentPrediction]
    entities: list[Entity]
    language: NotRequired[str]


@runtime_checkable
class IntentParser(Protocol):
    """Anything that turns one message into intent and entities (local model, Rasa server)."""

    def parse(
        self, text: str, *, now: datetime | None = None, lang: str | None = None
    ) -> ParseResult:
        """Parse `text`; `now` anchors relative times, `lang` skips language detection."""
        ...
