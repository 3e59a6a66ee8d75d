"""`Interpreter`: the local model behind the `IntentParser` interface.

Any input gets a valid answer: empty text, text with nothing the model knows (another
script, binary garbage) and text below the confidence threshold all come back as
`nlu_fallback`, with the real intents still ranked after it. Only the first
`MAX_ANALYSED_CHARS` characters are analysed (cut at a word boundary), so offsets stay
valid in the text the caller sent, which is echoed unchanged.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from nlu.entity_extraction import ServiceGuess, extract_entities
from nlu.features import RowVectoriser, SparseRow
from nlu.interface import (
    DEFAULT_FALLBACK_THRESHOLD,
    FALLBACK_INTENT,
    RANKING_LENGTH,
    IntentPrediction,
    ParseResult,
)
from nlu.model import NO_SERVICE, NluModel
from nlu.normalise import fold, looks_binary, normalise

MAX_ANALYSED_CHARS = 1000
DEFAULT_TIMEZONE = "Europe/Paris"


def analysed_part(text: str) -> str:
    """The prefix of `text` the model reads: long messages are cut at a word boundary."""
    if len(text) <= MAX_ANALYSED_CHARS:
        return text
    cut = text.rfind(" ", MAX_ANALYSED_CHARS // 2, MAX_ANALYSED_CHARS)
    return text[: cut if cut > 0 else MAX_ANALYSED_CHARS]


class Interpreter:
    """Parse messages with a trained `NluModel`.

    Args:
        model: the trained model.
        fallback_threshold: below this confidence the intent is `nlu_fallback` (Rasa: 0.3).
        ambiguity_threshold: when the two best intents are closer than this, also fall back
            (Rasa's FallbackClassifier option; 0 switches it off).
        timezone: where relative times ("demain matin") are anchored when `now` is naive.
        default_language: the answer when a message has no letters to tell ("👍", "5/5").
    """

    def __init__(
        self,
        model: NluModel,
        *,
        fallback_threshold: float = DEFAULT_FALLBACK_THRESHOLD,
        ambiguity_threshold: float = 0.0,
        timezone: str = DEFAULT_TIMEZONE,
        default_language: str = "fr",
    ) -> None:
        self.model = model
        self._vectorise = RowVectoriser(model.vectoriser).transform
        self._letters = RowVectoriser(model.language_vectoriser).transform
        self.default_language = default_language
        self.fallback_threshold = fallback_threshold
        self.ambiguity_threshold = ambiguity_threshold
        self.timezone = ZoneInfo(timezone)

    def parse(
        self, text: str, *, now: datetime | None = None, lang: str | None = None
    ) -> ParseResult:
        if not isinstance(text, str):  # defensive: callers in other layers may pass anything
            text = "" if text is None else str(text)
        now = self._anchor(now)
        analysed = analysed_part(text)
        folded = fold(analysed)
        normalised = normalise(analysed)
        features = self._vectorise(normalised)
        language = lang if lang in self.model.languages else self._detect(normalised)
        scorer = self.model.intent_scorer(language)
        proba = scorer.row_proba(features)
        order = np.argsort(-proba)[:RANKING_LENGTH]
        ranking: list[IntentPrediction] = [
            {"name": scorer.classes[i], "confidence": round(float(proba[i]), 4)} for i in order
        ]
        intent = ranking[0]
        known = self.model.knows_something(features, normalised) and not looks_binary(analysed)
        if not known or self._should_fall_back(ranking):
            intent = {"name": FALLBACK_INTENT, "confidence": self.fallback_threshold}
            ranking = [intent, *ranking[: RANKING_LENGTH - 1]]
        entities = (
            extract_entities(
                text,
                folded,
                now=now,
                language=language,
                intent=intent["name"],  # no service guessing on a fallback
                resources=self.model.entities,
                guess_service=lambda: self._guess_service(features),
            )
            if known
            else []
        )
        return {
            "text": text,
            "intent": intent,
            "intent_ranking": ranking,
            "entities": entities,
            "language": language,
        }

    def _anchor(self, now: datetime | None) -> datetime:
        if now is None:
            return datetime.now(self.timezone)
        # An aware instant is seen from where the speaker lives: "demain matin" is 8-12 in Paris.
        if now.tzinfo is not None:
            return now.astimezone(self.timezone)
        return now.replace(tzinfo=self.timezone)

    def _detect(self, normalised: str) -> str:
        letters = self._letters(normalised)
        if not len(letters.indices):
            return self.default_language
        proba = self.model.language.row_proba(letters)
        return self.model.language.classes[int(np.argmax(proba))]

    def _should_fall_back(self, ranking: list[IntentPrediction]) -> bool:
        top = ranking[0]["confidence"]
        if top < self.fallback_threshold:
            return True
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        return self.ambiguity_threshold > 0 and top - second < self.ambiguity_threshold

    def _guess_service(self, features: SparseRow) -> ServiceGuess | None:
        scorer = self.model.service
        if scorer is None:
            return None
        proba = scorer.row_proba(features)
        best = int(np.argmax(proba))
        column = scorer.coef[:, best]
        words = self.model.words

        def weight_of(word: str) -> float:
            index = words.get(word)
            return float(column[index]) if index is not None else 0.0

        if scorer.classes[best] == NO_SERVICE:
            return None
        return scorer.classes[best], float(proba[best]), weight_of
