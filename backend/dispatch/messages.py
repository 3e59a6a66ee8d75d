"""What dispatch tells people, written to the outbox in the caller's transaction.

Each message carries structured fields (for the bots to render buttons, for the console) and
a ready `text` in the recipient's language. An offer says where only approximately
(neighbourhood and distance); the exact address and the requester's phone go to the helper
only once assigned (DESIGN.md, personal data).
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.matching.availability import PARIS
from backend.matching.wording import WEEKDAYS_EN, WEEKDAYS_FR, decimal_fr, span_en, span_fr
from backend.outbox.service import enqueue
from backend.people.models import Address, ContactKind, Person
from backend.requests.models import HelpRequest, PayMode

SERVICE_LABELS: dict[str, tuple[str, str]] = {
    "errands": ("des courses", "errands"),
    "diy": ("du bricolage", "small repairs"),
    "gardening": ("du jardinage", "gardening"),
    "moving": ("un déménagement", "moving things"),
    "childcare": ("de la garde d'enfants", "childcare"),
    "pet_care": ("de la garde d'animaux", "pet care"),
    "transport": ("un accompagnement en voiture", "a lift"),
    "tech_help": ("de l'aide informatique", "tech help"),
    "paperwork": ("des papiers administratifs", "paperwork"),
    "companionship": ("une visite de compagnie", "a friendly visit"),
    "cleaning": ("du ménage", "cleaning"),
    "meals": ("des repas", "meals"),
    "tutoring": ("du soutien scolaire", "tutoring"),
}


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


def _service(request: HelpRequest, lang: str) -> str:
    fr, en = SERVICE_LABELS.get(request.service or "", (request.service or "", ""))
    return fr if lang == "fr" else en or fr


def _when(request: HelpRequest, lang: str) -> str:
    if request.window_start is None:
        return "dès que possible" if lang == "fr" else "as soon as possible"
    start = request.window_start.astimezone(PARIS)
    end = request.window_end.astimezone(PARIS) if request.window_end else None
    minutes = start.hour * 60 + start.minute
    end_minutes = end.hour * 60 + end.minute if end and end.date() == start.date() else None
    if lang == "fr":
        day = f"{WEEKDAYS_FR[start.weekday()]} {start.day}/{start.month:02d}"
        hours = span_fr(minutes, end_minutes) if end_minutes else f"{minutes // 60}h"
        return f"{day} {hours}"
    day = f"{WEEKDAYS_EN[start.weekday()]} {start.day}/{start.month:02d}"
    hours = span_en(minutes, end_minutes) if end_minutes else f"{minutes // 60:02d}:00"
    return f"{day} {hours}"


def _pay(request: HelpRequest, lang: str) -> str:
    if request.pay_mode == PayMode.cash and request.price_cents:
        euros = request.price_cents / 100
        return f"{decimal_fr(euros, 2)} € en espèces" if lang == "fr" else f"€{euros:.2f} cash"
    if request.pay_mode == PayMode.time_credits:
        return "en temps (banque de temps)" if lang == "fr" else "time credits"
    return "bénévole" if lang == "fr" else "volunteer"


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
    lang = helper.language
    area = _neighbourhood(session, request)
    # Half-kilometre steps, as in the requests' approximate view: enough to decide, not
    # enough to find the door.
    km = max(0.5, round(distance_km * 2) / 2)
    if lang == "fr":
        where = f"à {decimal_fr(km)} km" + (f" ({area})" if area else "")
        text = (
            f"Quelqu'un a besoin d'aide : {_service(request, lang)}, {where}, "
            f"{_when(request, lang)}, {_pay(request, lang)}. Acceptez-vous ?"
        )
    else:
        where = f"{km:.1f} km away" + (f" ({area})" if area else "")
        text = (
            f"Someone needs a hand: {_service(request, lang)}, {where}, "
            f"{_when(request, lang)}, {_pay(request, lang)}. Will you help?"
        )
    payload = _common(request) | {
        "offer_id": offer.id,
        "neighbourhood": area,
        "distance_km": km,
        "expires_at": offer.expires_at.isoformat(),
        "actions": ["accept", "decline"],
        "language": lang,
        "text": text,
    }
    _write(session, helper, target, "offer", payload, f"offer:{offer.id}")
    return True


def send_assignment(
    session: Session, request: HelpRequest, helper: Person, requester: Person
) -> bool:
    """The helper learns where and whom to call; the requester learns who comes and the word
    they will say. Returns False when the requester cannot be reached (a dispatcher must)."""
    place = request.place_text
    phone = requester.contact(ContactKind.phone)
    word = request.safety_word or ""
    target = reach(helper)
    if target is not None:
        lang = helper.language
        if lang == "fr":
            text = (
                f"C'est à vous ! {_service(request, lang)} chez {first_name(requester)}, "
                f"{place}, {_when(request, lang)}."
                + (f" Téléphone : {phone}." if phone else "")
                + f" À la porte, dites le mot de passe : « {word} »."
            )
        else:
            text = (
                f"It's yours! {_service(request, lang)} for {first_name(requester)}, "
                f"{place}, {_when(request, lang)}."
                + (f" Phone: {phone}." if phone else "")
                + f' At the door, say the safety word: "{word}".'
            )
        payload = _common(request) | {
            "address": place,
            "lat": request.lat,
            "lon": request.lon,
            "requester_name": first_name(requester),
            "requester_phone": phone,
            "safety_word": word,
            "language": lang,
            "text": text,
        }
        _write(
            session,
            helper,
            target,
            "assigned_helper",
            payload,
            f"assigned_helper:{request.id}:{helper.id}",
        )
    target = reach(requester)
    if target is None:
        return False
    lang = requester.language
    name = first_name(helper)
    if lang == "fr":
        text = (
            f"Bonne nouvelle : {name} viendra vous aider ({_service(request, lang)}, "
            f"{_when(request, lang)}). À la porte, {name} vous dira le mot de passe "
            f"« {word} ». N'ouvrez pas à quelqu'un qui ne le connaît pas."
        )
    else:
        text = (
            f"Good news: {name} will come to help ({_service(request, lang)}, "
            f'{_when(request, lang)}). At the door, {name} will say the safety word "{word}". '
            "Do not open to anyone who does not know it."
        )
    payload = _common(request) | {
        "helper_first_name": name,
        "safety_word": word,
        "language": lang,
        "text": text,
    }
    _write(
        session,
        requester,
        target,
        "assigned_requester",
        payload,
        f"assigned_requester:{request.id}:{helper.id}",
    )
    return True


WITHDRAWN_TEXT = {
    "taken": ("Merci ! Quelqu'un d'autre s'en occupe déjà.", "Thanks! Someone else took it."),
    "cancelled": ("Cette demande a été annulée.", "This request was cancelled."),
    "assigned": (
        "Merci ! Un répartiteur a confié cette demande à quelqu'un d'autre.",
        "Thanks! A dispatcher gave this job to someone else.",
    ),
}


def send_withdrawn(
    session: Session, request: HelpRequest, offer: Offer, helper: Person, reason: str
) -> None:
    target = reach(helper)
    if target is None:
        return
    fr, en = WITHDRAWN_TEXT[reason]
    payload = {
        "request_id": request.id,
        "offer_id": offer.id,
        "reason": reason,
        "language": helper.language,
        "text": fr if helper.language == "fr" else en,
    }
    _write(session, helper, target, "offer_withdrawn", payload, f"offer_withdrawn:{offer.id}")


def send_cancelled_to_helper(
    session: Session, request: HelpRequest, helper: Person, reason: str
) -> None:
    target = reach(helper)
    if target is None:
        return
    lang = helper.language
    if lang == "fr":
        text = f"La demande ({_service(request, lang)}, {_when(request, lang)}) est annulée."
    else:
        text = f"The request ({_service(request, lang)}, {_when(request, lang)}) was cancelled."
    if reason:
        text += f" ({reason})"
    payload = {"request_id": request.id, "reason": reason, "language": lang, "text": text}
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
