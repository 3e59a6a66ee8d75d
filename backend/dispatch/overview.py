"""A help request as a dispatcher reads it: the people, the history, the offers made, and the
helpers who could be given the job by hand, each with the reasons for their place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.matching.service import Candidate, rank_helpers
from backend.matching.weights import MatchWeights
from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestEvent, RequestStatus
from backend.requests.service import get_request

# A dispatcher may give the job to someone: while nobody has it, or before it has started.
HAND_ASSIGNABLE = (RequestStatus.open, RequestStatus.offered, RequestStatus.assigned)


@dataclass(frozen=True)
class RequestFile:
    request: HelpRequest
    requester: Person
    helper: Person | None
    events: list[tuple[RequestEvent, str | None]]  # each with its actor's name
    offers: list[tuple[Offer, str]]  # each with its helper's name


def request_file(session: Session, request_id: int) -> RequestFile:
    request = get_request(session, request_id)
    offers = list(
        session.scalars(
            select(Offer).where(Offer.request_id == request_id).order_by(Offer.round, Offer.rank)
        )
    )
    ids = {e.actor_id for e in request.events} | {o.helper_id for o in offers}
    ids |= {request.requester_id, request.helper_id}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids - {None})))}
    return RequestFile(
        request=request,
        requester=people[request.requester_id],
        helper=people.get(request.helper_id) if request.helper_id else None,
        events=[
            (e, people[e.actor_id].display_name if e.actor_id in people else None)
            for e in request.events
        ],
        offers=[(o, people[o.helper_id].display_name) for o in offers],
    )


def hand_candidates(
    session: Session,
    request: HelpRequest,
    *,
    weights: MatchWeights,
    limit: int = 10,
) -> list[Candidate] | None:
    """The best helpers to give this request to by hand (the one who has it left out); None
    when it cannot be given by hand, or cannot be ranked (no service or place yet)."""
    if request.status not in HAND_ASSIGNABLE:
        return None
    if request.service is None or request.lat is None or request.lon is None:
        return None
    exclude = {request.helper_id} if request.helper_id is not None else set()
    return rank_helpers(session, request, limit=limit, weights=weights, exclude=exclude)
