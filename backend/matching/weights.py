"""How much each factor counts in a ranking, and the few constants that shape each score."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property


@dataclass(frozen=True)
class MatchWeights:
    """Weights are relative: the final score is the weighted mean of the factor scores (0..1)."""

    distance: float = 0.30
    availability: float = 0.25
    rating: float = 0.15
    continuity: float = 0.10
    load: float = 0.10
    verification: float = 0.05
    language: float = 0.05

    # Distance score is 1 / (1 + d / half): a helper this far away scores one half.
    distance_half_km: float = 1.5
    # Bayesian average: C ratings of value m are assumed before the real ones, so one 5-star
    # review does not outrank a hundred 4.8 ones.
    rating_prior: float = 4.0
    rating_prior_weight: float = 5.0
    # "Recent" load; an offer received weighs a fraction of a job actually done.
    load_window: timedelta = field(default=timedelta(days=7))
    offer_load_share: float = 0.25
    # When a request gives a window but no duration, the helper needs this much of it.
    default_duration_minutes: int = 60
    # Stars from this requester that make a helper "one they know and liked".
    continuity_min_stars: int = 4
    # Prefilter: helpers whose radius is at most this are searched in a bounding box of this
    # half-size; the (few) helpers with a wider radius are found through a second query.
    prefilter_km: float = 5.0

    def factor_weights(self) -> dict[str, float]:
        return {
            "distance": self.distance,
            "availability": self.availability,
            "rating": self.rating,
            "continuity": self.continuity,
            "load": self.load,
            "verification": self.verification,
            "language": self.language,
        }

    @cached_property
    def total(self) -> float:
        return sum(self.factor_weights().values())
