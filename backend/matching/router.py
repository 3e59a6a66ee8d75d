"""Dispatchers see who would be proposed for a request, and why."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from backend.api_deps import DispatcherUser, SessionDep
from backend.matching.schemas import CandidateOut
from backend.matching.service import DEFAULT_WEIGHTS, rank_helpers
from backend.matching.weights import MatchWeights
from backend.requests.service import get_request
from backend.validation import DbId

router = APIRouter(prefix="/requests", tags=["matching"])


def match_weights(request: Request) -> MatchWeights:
    """The composition root may set `app.state.match_weights`; otherwise the defaults."""
    return getattr(request.app.state, "match_weights", None) or DEFAULT_WEIGHTS


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
