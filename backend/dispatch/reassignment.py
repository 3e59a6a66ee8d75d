"""A dispatcher gives an assigned job, not started yet, to another helper.

The first helper is released (told they need not come), the request goes back to open for
an instant, then to the new helper exactly as a hand assignment: the new helper gets the
address, the requester the new helper's name and a new safety word.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.dispatch import messages, store
from backend.dispatch.assignment import assign_by_hand, assignable_helper
from backend.dispatch.models import Offer, OfferStatus
from backend.errors import Conflict, InvalidInput
from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.service import transition


def reassign_by_hand(
    session: Session,
    request_id: int,
    helper_id: int,
    dispatcher_id: int,
    now: datetime | None = None,
) -> HelpRequest:
    """Everything is checked before anything changes: a refusal leaves the job as it was."""
    now = now or utcnow()
    request = store.lock_request(session, request_id)
    if request.status != RequestStatus.assigned:
        raise Conflict(
            f"only an assigned job that has not started can be reassigned; this one is "
            f"{request.status}",
            status=request.status,
        )
    if request.helper_id == helper_id:
        raise InvalidInput("this helper already has the job")
    assignable_helper(session, request, helper_id)
    release(session, request, dispatcher_id)
    return assign_by_hand(session, request_id, helper_id, dispatcher_id, now)


def release(session: Session, request: HelpRequest, dispatcher_id: int) -> None:
    """The assigned helper no longer has the job (their accepted offer is withdrawn) and is
    told so; the request is open again, without helper nor safety word."""
    previous_id = request.helper_id
    offer = session.scalar(
        select(Offer).where(
            Offer.request_id == request.id,
            Offer.helper_id == previous_id,
            Offer.status == OfferStatus.accepted,
        )
    )
    if offer is not None:
        offer.status = OfferStatus.withdrawn
    transition(
        session,
        request,
        RequestStatus.open,
        actor_id=dispatcher_id,
        note=f"helper {previous_id} released by hand",
    )
    request.helper_id, request.safety_word, request.assigned_at = None, None, None
    previous = session.get(Person, previous_id) if previous_id is not None else None
    if previous is not None:
        messages.send_released(session, request, previous, request.events[-1].id)
