"""Ranked helpers as the API shows them to dispatchers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from backend.matching.service import Candidate


class FactorOut(BaseModel):
    factor: str
    value: Any
    score: float
    weight: float
    reason_fr: str
    reason_en: str


class CandidateOut(BaseModel):
    rank: int
    helper_id: int
    display_name: str
    score: float
    distance_km: float
    factors: list[FactorOut]

    @classmethod
    def of(cls, rank: int, candidate: Candidate) -> CandidateOut:
        return cls(
            rank=rank,
            helper_id=candidate.helper_id,
            display_name=candidate.display_name,
            score=round(candidate.score, 4),
            distance_km=round(candidate.distance_km, 3),
            factors=[FactorOut(**f.as_dict()) for f in candidate.factors],
        )
