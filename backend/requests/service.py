"""Help requests: creation, the lifecycle state machine, and its history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import Conflict, InvalidInput, NotFound
from backend.people.service import get_person
from backend.requests.models import TRANSITIONS, HelpRequest, RequestEvent, RequestStatus
from backend.requests.schemas import HelpRequestCreate


def get_request(session: Session, request_id: int, *, for_update: bool = False) -> HelpRequest:
    stmt = select(HelpRequest).where(HelpRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update()
    request = session.scalar(stmt)
    if request is None:
        raise NotFound(f"help request {request_id} not found")
    return request


def create_request(session: Session, data: HelpRequestCreate) -> HelpRequest:
    requester = get_person(session, data.requester_id)
    home = requester.primary_address
    fields = data.model_dump(exclude={"submit", "requester_id"})
    request = HelpRequest(requester_id=requester.id, status=RequestStatus.draft, **fields)
    if request.lat is None and home is not None:
        # Help is wanted at home unless said otherwise.
        request.address_id = home.id
        request.lat, request.lon = home.lat, home.lon
        request.place_text = request.place_text or home.one_line()
    session.add(request)
    session.flush()
    record(session, request, "created", actor_id=requester.id, note=f"via {data.channel}")
    if data.submit:
        submit(session, request, actor_id=requester.id)
    return request


def submit(session: Session, request: HelpRequest, *, actor_id: int | None) -> None:
    """Draft -> open, once what a helper needs to know is there."""
    missing = [name for name in ("service", "lat") if getattr(request, name) is None]
    if missing:
        raise InvalidInput(f"the request cannot be opened without: {', '.join(missing)}")
    transition(session, request, RequestStatus.open, actor_id=actor_id)


def transition(
    session: Session,
    request: HelpRequest,
    to: RequestStatus,
    *,
    actor_id: int | None = None,
    note: str = "",
) -> None:
    current = RequestStatus(request.status)
    if to not in TRANSITIONS[current]:
        raise Conflict(f"a request that is {current} cannot become {to}", status=current)
    request.status = to
    request.updated_at = utcnow()
    if to == RequestStatus.done:
        request.completed_at = utcnow()
    record(
        session, request, "status", from_status=current, to_status=to, actor_id=actor_id, note=note
    )


def record(
    session: Session,
    request: HelpRequest,
    kind: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    actor_id: int | None = None,
    note: str = "",
) -> RequestEvent:
    event = RequestEvent(
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor_id,
        note=note[:500],
    )
    # Through the relationship, so a request already loaded sees its whole history.
    request.events.append(event)
    session.flush()
    return event


def flag_for_dispatcher(
    session: Session, request: HelpRequest, reason: str, *, actor_id: int | None = None
) -> None:
    request.needs_dispatcher = True
    request.flag_reason = reason[:200]
    record(session, request, "flag", actor_id=actor_id, note=reason)


def clear_flag(
    session: Session, request: HelpRequest, *, actor_id: int | None, note: str = ""
) -> None:
    """A dispatcher has dealt with what the flag asked for."""
    if not request.needs_dispatcher:
        return
    request.needs_dispatcher = False
    request.flag_reason = ""
    record(session, request, "unflag", actor_id=actor_id, note=note)
