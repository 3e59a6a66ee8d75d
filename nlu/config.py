"""The local model's settings: one dataclass, passed in (nlu reads no environment)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ModelConfig:
    # Features: word n-grams carry meaning, character n-grams (within word boundaries)
    # survive typos, SMS spellings and speech-recognition slips.
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    char_min_df: int = 2
    # Logistic regression: probabilities out of the box, fast to train and to apply.
    intent_c: float = 10.0
    service_c: float = 10.0
    class_weight: str | None = "balanced"
    # One model for French and English, or one per language (chosen after measuring).
    per_language: bool = False
    # Temperature scaling fitted on out-of-fold scores, so that a confidence of 0.8 is right
    # about 80 % of the time; 0 folds switches it off.
    calibration_folds: int = 3
    random_state: int = 42

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
