"""Who sees what of a request (DESIGN.md: a helper sees the exact address and phone only once
assigned to that request)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.geo import haversine_km
from backend.people.models import ContactKind, Person, Role
from backend.requests.models import HelpRequest
from backend.requests.schemas import HelpRequestDetail, HelpRequestOut, RequestEventOut


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


def approximate_view(session: Session, request: HelpRequest, viewer: Person) -> HelpRequestOut:
    out = HelpRequestOut.model_validate(request)
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
