"""Text -> sparse feature vector: TF-IDF over word n-grams and character n-grams.

Training uses scikit-learn's vectorisers. Parsing one message goes through `RowVectoriser`,
which applies the same fitted vocabularies and IDF weights without scikit-learn's per-call
input validation (three quarters of a parse's time otherwise).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from nlu.config import ModelConfig


def make_vectoriser(config: ModelConfig) -> FeatureUnion:
    """Input is already normalised text (`nlu.normalise.normalise`)."""
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=config.word_ngrams,
        # one-letter words count in French ("j'ai" -> "j", "ai"; "y", "a")
        token_pattern=r"(?u)\b\w+\b",
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=config.char_ngrams,
        min_df=config.char_min_df,
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def make_language_vectoriser() -> FeatureUnion:
    """Letters only (no words, no emoji names): which language, not what is meant. Emojis
    and SMS words are shared by both languages and would only blur the answer."""
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(1, 3),
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
        preprocessor=letters_only,
    )
    return FeatureUnion([("letters", chars)])


_NON_LETTERS = re.compile(r"emo_\w+|[^a-z' ]+")


def letters_only(normalised: str) -> str:
    return _NON_LETTERS.sub(" ", normalised)


def word_index(vectoriser: FeatureUnion) -> dict[str, int]:
    """Column of each single word in the union's output (for explaining a prediction)."""
    words: TfidfVectorizer = vectoriser.transformer_list[0][1]
    return {term: col for term, col in words.vocabulary_.items() if " " not in term}


def informative_columns(vectoriser: FeatureUnion) -> np.ndarray:
    """True for the columns that say something: every word, and the character n-grams of
    three letters or more (char_wb pads words with spaces, and " " or "x" alone match
    anything: Chinese text or "xxxxxxxx" would otherwise look "known")."""
    mask: list[bool] = []
    for _name, part in vectoriser.transformer_list:
        terms = sorted(part.vocabulary_, key=part.vocabulary_.__getitem__)
        is_chars = part.analyzer != "word"
        mask.extend(
            any(c.isalnum() for c in term) and (not is_chars or len(term.strip()) >= 3)
            for term in terms
        )
    return np.array(mask, dtype=bool)


@dataclass(frozen=True)
class SparseRow:
    """One message's features: the non-zero columns and their values."""

    indices: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class _Block:
    analyse: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear: bool
    offset: int


class RowVectoriser:
    """`vectoriser.transform([text])` for one text, same numbers, a fraction of the time."""

    def __init__(self, vectoriser: FeatureUnion) -> None:
        self._blocks = []
        offset = 0
        for _name, part in vectoriser.transformer_list:
            if part.norm != "l2" or not part.use_idf:
                raise ValueError("RowVectoriser expects l2-normalised TF-IDF parts")
            self._blocks.append(
                _Block(
                    part.build_analyzer(),
                    part.vocabulary_,
                    part.idf_,
                    part.sublinear_tf,
                    offset,
                )
            )
            offset += len(part.vocabulary_)

    def transform(self, text: str) -> SparseRow:
        indices: list[int] = []
        values: list[float] = []
        for block in self._blocks:
            terms = block.analyse(text)
            counts = Counter(
                col for term in terms if (col := block.vocabulary.get(term)) is not None
            )
            if not counts:
                continue
            cols = list(counts)
            tf = [1.0 + math.log(counts[c]) if block.sublinear else counts[c] for c in cols]
            weights = np.asarray(tf) * block.idf[cols]
            weights /= np.sqrt(weights @ weights)
            indices.extend(c + block.offset for c in cols)
            values.extend(weights.tolist())
        return SparseRow(np.asarray(indices, dtype=np.int64), np.asarray(values))
