"""People on the phone and jobs under way, built through the domain services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.dispatch.service import DispatchPolicy, accept_offer, start_dispatch
from backend.people.models import Person
from backend.requests.models import HelpRequest
from bots.voice.simulator import PhoneCall
from tests.factories import make_helper, make_request, make_resident
from tests.voice.conftest import Line, new_landline, new_mobile


def germaine(session: Session, phone: str | None = None) -> Person:
    """An elderly resident on a landline."""
    return make_resident(session, "Germaine Roux", phone=phone or new_landline())


def greeted(line: Line, number: str) -> PhoneCall:
    """A call from `number`, past the greeting (what it said is another test's matter)."""
    call = line.call(number)
    call.start()
    return call


def karim(session: Session, *, landline: bool = False) -> Person:
    """A helper without Telegram: reached by SMS on his mobile, or by calls on a landline."""
    return make_helper(session, "Karim Haddad", phone=new_landline() if landline else new_mobile())


def offered(session: Session, requester: Person, now: datetime) -> tuple[HelpRequest, list[Offer]]:
    """A request offered at `now` (the line's clock: the engine judges expiry by it)."""
    request = make_request(session, requester)
    start_dispatch(session, request, DispatchPolicy(), now)
    offers = list(session.scalars(select(Offer).where(Offer.request_id == request.id)))
    return request, offers


def assigned(session: Session, requester: Person, helper: Person, now: datetime) -> HelpRequest:
    """A job `helper` has accepted (the outbox holds its messages, not yet delivered)."""
    request, offers = offered(session, requester, now)
    (offer,) = [o for o in offers if o.helper_id == helper.id]
    accept_offer(session, offer.id, helper.id, now)
    session.commit()
    return request
