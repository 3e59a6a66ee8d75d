"""A finished job between a requester and a helper, for the trust tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.service import transition
from tests.factories import make_helper, make_request, make_resident


def finished_job(
    session: Session, requester: Person | None = None, helper: Person | None = None
) -> tuple[HelpRequest, Person, Person]:
    requester = requester or make_resident(session, "Odette Girard")
    helper = helper or make_helper(session, "Karim Benali")
    request = make_request(session, requester)
    request.helper_id = helper.id
    transition(session, request, RequestStatus.assigned)
    transition(session, request, RequestStatus.done)
    session.flush()
    return request, requester, helper
