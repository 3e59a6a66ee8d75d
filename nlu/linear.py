"""A fitted linear classifier reduced to its weights, with a temperature.

scikit-learn's `predict_proba` re-validates its input on every call, which costs more than
the arithmetic for one short message; parsing one message at a time is our hot path, so the
interpreter applies the weights itself. Training still uses scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

from nlu.features import SparseRow


class FittedLinear(Protocol):
    """What we read from a fitted scikit-learn linear classifier (LinearSVC, LR...)."""

    coef_: np.ndarray
    intercept_: np.ndarray
    classes_: np.ndarray


@dataclass
class LinearScorer:
    classes: list[str]
    coef: np.ndarray  # (n_features, n_classes), so one sparse row times it is one product
    intercept: np.ndarray  # (n_classes,)
    temperature: float = 1.0

    @classmethod
    def from_linear(cls, model: FittedLinear, temperature: float = 1.0) -> LinearScorer:
        """From any fitted scikit-learn linear classifier (LinearSVC, LogisticRegression)."""
        coef, intercept = model.coef_, np.atleast_1d(model.intercept_)
        classes = [str(c) for c in model.classes_]
        if len(classes) == 2:  # a binary model keeps one row: expand to two opposite scores
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        return cls(
            classes,
            np.ascontiguousarray(coef.T, dtype=np.float64),
            intercept.astype(np.float64),
            temperature,
        )

    def scores(self, features: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self.coef) + self.intercept

    def proba(self, features: sparse.csr_matrix) -> np.ndarray:
        return softmax(self.scores(features) / self.temperature)

    def row_proba(self, row: SparseRow) -> np.ndarray:
        """Probabilities for one message (the parse path)."""
        scores = row.values @ self.coef[row.indices] + self.intercept
        return softmax(scores / self.temperature)


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def fit_temperature(scores: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the log loss of held-out scores (labels are indices)."""
    best_t, best_loss = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.01), np.log(5.0), 100)):
        p = softmax(scores / t)
        loss = -np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-12))
        if loss < best_loss:
            best_t, best_loss = float(t), loss
    return best_t
