"""Text -> sparse feature vector: TF-IDF over word n-grams and character n-grams."""

from __future__ import annotations

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


def word_index(vectoriser: FeatureUnion) -> dict[str, int]:
    """Column of each single word in the union's output (for explaining a prediction)."""
    words: TfidfVectorizer = vectoriser.transformer_list[0][1]
    return {term: col for term, col in words.vocabulary_.items() if " " not in term}


def informative_columns(vectoriser: FeatureUnion) -> np.ndarray:
    """True for the columns that say something: every word, and the character n-grams with a
    letter or digit in them (char_wb pads words with spaces, and " " alone matches any
    script, so Chinese text would otherwise look "known")."""
    mask = []
    for _name, part in vectoriser.transformer_list:
        terms = sorted(part.vocabulary_, key=part.vocabulary_.__getitem__)
        mask.extend(any(c.isalnum() for c in term) for term in terms)
    return np.array(mask, dtype=bool)
