"""Dispatchers see who would be proposed for a request, and why."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.api_deps import DispatcherUser, SessionDep
from backend.dispatch.deps import PolicyDep
from backend.matching.schemas import CandidateOut
from backend.matching.service import rank_helpers
from backend.matching.weights import MatchWeights
from backend.requests.service import get_request
from backend.validation import DbId

router = APIRouter(prefix="/requests", tags=["matching"])


def match_weights(policy: PolicyDep) -> MatchWeights:
    """The weights dispatch ranks with: a dispatcher sees the order offers will follow."""
    return policy.weights


WeightsDep = Annotated[MatchWeights, Depends(match_weights)]


@router.get("/{request_id}/candidates", response_model=list[CandidateOut])
def candidates(
    request_id: DbId,
    session: SessionDep,
    _user: DispatcherUser,
    weights: WeightsDep,
    limit: Annotated[int, Query(ge=1, le=50, description="how many helpers")] = 10,
) -> list[CandidateOut]:
    """The best helpers for this request, best first, each factor with its reason."""
    help_request = get_request(session, request_id)
    ranked = rank_helpers(session, help_request, limit=limit, weights=weights)
    return [CandidateOut.of(rank, c) for rank, c in enumerate(ranked, start=1)]
