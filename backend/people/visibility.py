"""Who sees whom (DESIGN.md, personal data).

A person sees their own record, dispatchers and administrators see everyone, and the two
parties of a job under way (a request assigned or in progress) see each other as the job
needs (`PersonCounterpart`). Anyone else is answered 404, worded as for an id that does not
exist, so people cannot be found by trying ids.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from backend.errors import NotFound
from backend.people.models import Address, ContactKind, Person, Role
from backend.people.schemas import AddressOut, PersonCounterpart, PersonOut
from backend.people.service import get_person, to_out
from backend.requests.models import HelpRequest, RequestStatus

JOB_UNDER_WAY = (RequestStatus.assigned, RequestStatus.in_progress)


def person_view(session: Session, viewer: Person, person_id: int) -> PersonOut | PersonCounterpart:
    """`person_id` as `viewer` may see them. Raises NotFound."""
    if person_id == viewer.id or viewer.has_role(Role.dispatcher, Role.admin):
        return to_out(get_person(session, person_id))
    jobs = list(
        session.scalars(
            select(HelpRequest)
            .where(
                HelpRequest.status.in_(JOB_UNDER_WAY),
                or_(
                    and_(HelpRequest.requester_id == viewer.id, HelpRequest.helper_id == person_id),
                    and_(HelpRequest.helper_id == viewer.id, HelpRequest.requester_id == person_id),
                ),
            )
            .order_by(HelpRequest.window_start, HelpRequest.id)
        )
    )
    if not jobs:
        raise NotFound(f"person {person_id} not found")
    person = get_person(session, person_id)
    view = PersonCounterpart(
        id=person.id, display_name=person.display_name, language=person.language
    )
    going_there = next((job for job in jobs if job.helper_id == viewer.id), None)
    if going_there is not None:
        view.phone = person.contact(ContactKind.phone)
        place = session.get(Address, going_there.address_id) if going_there.address_id else None
        view.address = AddressOut.model_validate(place) if place else None
    return view
