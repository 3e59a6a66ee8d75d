"""What dispatch tells people, written to the outbox in the caller's transaction.

Each message carries structured fields only; the words, in the recipient's language, come
from the dialogues' prompt catalogue when the message is delivered. An offer says where only
approximately (neighbourhood and distance) and its details with addresses, numbers and codes
masked; the exact address, the requester's phone and the whole details go to the helper only
once assigned (DESIGN.md, personal data).
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.outbox.service import enqueue
from backend.people.models import Address, ContactKind, Person
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.redaction import mask_details


def reach(person: Person) -> tuple[str, str] | None:
    """(channel, address) to write to someone: Telegram if they use it, else an SMS to a
    mobile, else a voice call to a landline (an SMS would never arrive there)."""
    telegram = person.contact(ContactKind.telegram)
    if telegram:
        return "telegram", telegram
    phone = person.contact(ContactKind.phone)
    if not phone:
        return None
    kind = phonenumbers.number_type(phonenumbers.parse(phone, None))
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        return "voice_call", phone
    return "sms", phone


def first_name(person: Person) -> str:
    return person.display_name.split()[0] if person.display_name.strip() else ""


def _common(request: HelpRequest) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "service": request.service,
        "details": request.details,
        "window_start": request.window_start.isoformat() if request.window_start else None,
        "window_end": request.window_end.isoformat() if request.window_end else None,
        "duration_minutes": request.duration_minutes,
        "pay_mode": request.pay_mode,
        "price_cents": request.price_cents,
    }


def _neighbourhood(session: Session, request: HelpRequest) -> str:
    address = session.get(Address, request.address_id) if request.address_id else None
    return address.neighbourhood if address else ""


def send_offer(
    session: Session, request: HelpRequest, offer: Offer, helper: Person, distance_km: float
) -> bool:
    """The job, without the exact place: enough to decide, not enough to find the door."""
    target = reach(helper)
    if target is None:
        return False
    payload = _common(request) | {
        "details": mask_details(request.details, helper.language),
        "offer_id": offer.id,
        "neighbourhood": _neighbourhood(session, request),
        # Half-kilometre steps, as in the requests' approximate view.
        "distance_km": max(0.5, round(distance_km * 2) / 2),
        "expires_at": offer.expires_at.isoformat(),
        "actions": ["accept", "decline"],
        "language": helper.language,
    }
    _write(session, helper, target, "offer", payload, f"offer:{offer.id}")
    return True


def send_assignment(
    session: Session, request: HelpRequest, helper: Person, requester: Person
) -> bool:
    """The helper learns where and whom to call; the requester learns who comes and the word
    they will say. Returns False when the requester cannot be reached (a dispatcher must).

    The dedupe keys count the request's assignments: a job given back to a helper who had it
    before (after a reassignment) is announced again, with its new safety word."""
    word = request.safety_word or ""
    nth = sum(1 for e in request.events if e.to_status == RequestStatus.assigned)
    target = reach(helper)
    if target is not None:
        payload = _common(request) | {
            "address": request.place_text,
            "lat": request.lat,
            "lon": request.lon,
            "requester_name": first_name(requester),
            "requester_phone": requester.contact(ContactKind.phone),
            "safety_word": word,
            "language": helper.language,
        }
        _write(
            session,
            helper,
            target,
            "assigned_helper",
            payload,
            f"assigned_helper:{request.id}:{helper.id}:{nth}",
        )
    target = reach(requester)
    if target is None:
        return False
    payload = _common(request) | {
        "helper_first_name": first_name(helper),
        "safety_word": word,
        "language": requester.language,
    }
    _write(
        session,
        requester,
        target,
        "assigned_requester",
        payload,
        f"assigned_requester:{request.id}:{helper.id}:{nth}",
    )
    return True


WITHDRAWN_REASONS = ("taken", "cancelled", "assigned")


def send_withdrawn(
    session: Session, request: HelpRequest, offer: Offer, helper: Person, reason: str
) -> None:
    target = reach(helper)
    if target is None:
        return
    assert reason in WITHDRAWN_REASONS, reason
    payload = {
        "request_id": request.id,
        "offer_id": offer.id,
        "reason": reason,
        "language": helper.language,
    }
    _write(session, helper, target, "offer_withdrawn", payload, f"offer_withdrawn:{offer.id}")


def send_released(session: Session, request: HelpRequest, helper: Person, event_id: int) -> None:
    """An assigned helper whose job a dispatcher gave to someone else: they need not come.
    The words are those of an offer the team gave to another neighbour."""
    target = reach(helper)
    if target is None:
        return
    payload = {
        "request_id": request.id,
        "reason": "assigned",
        "released": True,
        "language": helper.language,
    }
    _write(session, helper, target, "offer_withdrawn", payload, f"released:{event_id}")


def send_rate_request(
    session: Session, request: HelpRequest, requester: Person, helper: Person
) -> None:
    target = reach(requester)
    if target is None:
        return
    payload = _common(request) | {
        "helper_first_name": first_name(helper),
        "language": requester.language,
    }
    _write(session, requester, target, "rate_request", payload, f"rate_request:{request.id}")


def send_cancelled_to_helper(
    session: Session, request: HelpRequest, helper: Person, reason: str
) -> None:
    target = reach(helper)
    if target is None:
        return
    payload = _common(request) | {"reason": reason, "language": helper.language}
    _write(session, helper, target, "request_cancelled", payload, f"request_cancelled:{request.id}")


def _write(
    session: Session,
    person: Person,
    target: tuple[str, str],
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
) -> None:
    channel, address = target
    enqueue(
        session,
        channel=channel,
        address=address,
        kind=kind,
        payload=payload,
        person_id=person.id,
        dedupe_key=dedupe_key,
    )
