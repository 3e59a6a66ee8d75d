"""Rank the helpers for a request, each with the reasons for their place."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import InvalidInput
from backend.matching import queries
from backend.matching.availability import fit_asap, fit_window, requested_segments
from backend.matching.factors import (
    Factor,
    HelperFacts,
    best_possible_score,
    explain,
    total_score,
)
from backend.matching.weights import MatchWeights
from backend.requests.models import HelpRequest

DEFAULT_WEIGHTS = MatchWeights()
# Leeway for float rounding when comparing a best-possible score with a measured one.
EPSILON = 1e-9
# Helpers whose ratings and load are read per round trip: small enough to stop early, big
# enough to need few trips.
BATCH = 40


@dataclass(frozen=True)
class Candidate:
    helper_id: int
    display_name: str
    score: float  # 0..1, the weighted mean of the factor scores
    distance_km: float
    factors: list[Factor]

    def explanation(self) -> dict[str, Any]:
        """What is kept with an offer: why this helper was asked."""
        return {"score": round(self.score, 4), "factors": [f.as_dict() for f in self.factors]}


def rank_helpers(
    session: Session,
    request: HelpRequest,
    *,
    limit: int = 10,
    weights: MatchWeights = DEFAULT_WEIGHTS,
    now: datetime | None = None,
    exclude: Collection[int] = (),
) -> list[Candidate]:
    """The best `limit` helpers for `request`, best first.

    Never proposed: inactive helpers, suspended people, the requester, helpers whose radius
    does not reach the place, helpers who declined or let expire an offer for this request,
    and anyone in `exclude` (e.g. helpers already asked in an earlier round).

    One query finds the reachable helpers with their distance, availability, languages and
    verification; name, suspension, ratings and load are then read in batches, best possible
    score first, only until nobody left could enter the top `limit` (the result is the same
    as reading all).
    """
    if request.service is None or request.lat is None or request.lon is None:
        raise InvalidInput("a request needs a service and a place before helpers can be ranked")
    if limit <= 0:
        return []
    now = now or utcnow()
    language = request.language
    excluded = {request.requester_id, *exclude, *queries.refused_by(session, request.id)}
    stars_given = queries.latest_stars_given(session, request.requester_id)
    wanted = requested_segments(
        request.window_start,
        request.window_end,
        request.duration_minutes,
        weights.default_duration_minutes,
        now,
    )
    pending: list[tuple[float, HelperFacts]] = []
    for r in queries.reachable_helpers(
        session, request.service, request.lat, request.lon, weights.prefilter_km
    ):
        if r.helper_id in excluded:
            continue
        f = HelperFacts(
            r.helper_id,
            r.distance_km,
            stars_given.get(r.helper_id),
            languages=r.languages,
            verified=r.verified,
            availability=fit_asap(r.slots, now) if wanted is None else fit_window(r.slots, *wanted),
        )
        pending.append((best_possible_score(f, weights, language), f))
    pending.sort(key=_order)

    measured: list[tuple[float, HelperFacts]] = []
    start, batch = 0, max(2 * limit, BATCH)
    while start < len(pending):
        end = min(start + batch, len(pending))
        if len(measured) >= limit:
            # `pending` is sorted by best possible score: stop at the first who cannot win.
            bar = measured[limit - 1][0] - EPSILON
            end = next((i for i in range(start, end) if pending[i][0] < bar), end)
            if end == start:
                break
        chunk = [f for _, f in pending[start:end]]
        start = end
        counts = queries.counts(session, [f.helper_id for f in chunk], now - weights.load_window)
        for f in chunk:
            c = counts.get(f.helper_id)
            if c is None or c.suspended:
                continue
            f.display_name = c.display_name
            f.rating_count, f.rating_sum = c.ratings, c.stars
            f.jobs, f.offers = c.jobs, c.offers
            measured.append((total_score(f, weights, language), f))
        measured.sort(key=_order)
    return [
        Candidate(f.helper_id, f.display_name, score, f.distance_km, explain(f, weights, language))
        for score, f in measured[:limit]
    ]


def _order(pair: tuple[float, HelperFacts]) -> tuple[float, float, int]:
    # Best first; ties go to the nearer helper, then the older account: a stable order.
    score, f = pair
    return (-score, f.distance_km, f.helper_id)
