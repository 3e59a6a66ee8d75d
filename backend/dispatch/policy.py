"""How a job is offered: how many helpers at a time, for how long, how many rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from backend.matching.weights import MatchWeights


@dataclass(frozen=True)
class DispatchPolicy:
    offers_per_round: int = 3
    offer_ttl: timedelta = timedelta(minutes=10)
    max_rounds: int = 3
    weights: MatchWeights = field(default_factory=MatchWeights)

    def to_payload(self) -> dict[str, Any]:
        """What a round's timer carries, so that later rounds follow the policy of the first
        even if the configuration changes meanwhile (weights stay the worker's own)."""
        return {
            "offers_per_round": self.offers_per_round,
            "offer_ttl_seconds": int(self.offer_ttl.total_seconds()),
            "max_rounds": self.max_rounds,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], base: DispatchPolicy) -> DispatchPolicy:
        """A round's policy from its timer; what the timer does not say comes from `base`."""
        return cls(
            offers_per_round=int(payload.get("offers_per_round", base.offers_per_round)),
            offer_ttl=timedelta(
                seconds=payload.get("offer_ttl_seconds", base.offer_ttl.total_seconds())
            ),
            max_rounds=int(payload.get("max_rounds", base.max_rounds)),
            weights=base.weights,
        )
