"""Who sees what of a request (DESIGN.md: a helper sees the exact address and phone only once
assigned to that request).

- its requester, its assigned helper, dispatchers: everything (`detailed_view`);
- a helper it was offered to: the service, the time, the neighbourhood, a rounded distance
  and the details with addresses, numbers and codes masked (`approximate_view`);
- anyone else: 404, worded as for a request that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.errors import NotFound
from backend.geo import haversine_km
from backend.people.models import ContactKind, Person, Role
from backend.requests.models import HelpRequest
from backend.requests.redaction import mask_details
from backend.requests.schemas import HelpRequestDetail, HelpRequestOut, RequestEventOut
from backend.requests.service import get_request


def may_see_details(viewer: Person, request: HelpRequest) -> bool:
    return viewer.id in (request.requester_id, request.helper_id) or viewer.has_role(
        Role.dispatcher, Role.admin
    )


def has_offer(session: Session, viewer: Person, request: HelpRequest) -> bool:
    return (
        session.scalar(
            select(Offer.id).where(Offer.request_id == request.id, Offer.helper_id == viewer.id)
        )
        is not None
    )


def request_view(
    session: Session, request_id: int, viewer: Person
) -> HelpRequestDetail | HelpRequestOut:
    """The request as `viewer` may see it. Raises NotFound alike for an unknown id and for a
    request `viewer` has no part in."""
    request = get_request(session, request_id)
    if may_see_details(viewer, request):
        return detailed_view(session, request)
    if has_offer(session, viewer, request):
        return approximate_view(session, request, viewer)
    raise NotFound(f"help request {request_id} not found")


def approximate_view(session: Session, request: HelpRequest, viewer: Person) -> HelpRequestOut:
    """What a list shows `viewer`: masked details unless `viewer` may see everything."""
    out = HelpRequestOut.model_validate(request)
    if not may_see_details(viewer, request):
        out.details = mask_details(request.details, viewer.language)
        out.flag_reason = ""  # the team's note, not the helper's business
    requester = session.get(Person, request.requester_id)
    home = requester.primary_address if requester else None
    out.neighbourhood = home.neighbourhood if home else None
    profile = viewer.helper_profile
    if profile and request.lat is not None and request.lon is not None:
        # Rounded to half a kilometre: enough to decide, not enough to find the door.
        exact = haversine_km(profile.lat, profile.lon, request.lat, request.lon)
        out.approx_distance_km = round(exact * 2) / 2
    return out


def detailed_view(session: Session, request: HelpRequest) -> HelpRequestDetail:
    requester = session.get(Person, request.requester_id)
    base = approximate_view(session, request, requester) if requester else None
    return HelpRequestDetail(
        **(base.model_dump() if base else HelpRequestOut.model_validate(request).model_dump()),
        place_text=request.place_text,
        lat=request.lat,
        lon=request.lon,
        requester_phone=requester.contact(ContactKind.phone) if requester else None,
        safety_word=request.safety_word,
        events=[RequestEventOut.model_validate(e) for e in request.events],
    )
