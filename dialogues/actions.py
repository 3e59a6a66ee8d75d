"""What conversations do to the world: every call from the dialogues into the backend.

Kept in one module so that the flows read as conversations and the backend's API is used
in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from backend.dispatch.service import start_dispatch
from backend.errors import DomainError
from backend.people.geocoding import locate, spoken_to_written
from backend.requests.models import ACTIVE_STATUSES, HelpRequest, PayMode
from backend.requests.schemas import HelpRequestCreate
from backend.requests.service import create_request, flag_for_dispatcher
from dialogues.messages import Outgoing
from dialogues.turn import Turn

if TYPE_CHECKING:
    from backend.people.codes import RedeemOutcome
    from backend.people.models import Person
    from backend.people.phone_codes import SentCode

VOICE_CHANNELS = ("voice",)


def hand_over(turn: Turn, reason: str) -> None:
    """A human takes it from here: the bot falls silent until a dispatcher hands back. On a
    phone line that cannot put the caller through, the caller is owed a call-back instead;
    a chat is owed an answer, a task in the console, and is told by when."""
    from dialogues.flows.call_back import owe_call_back, owe_chat_back

    if turn.incoming.channel not in VOICE_CHANNELS:
        owe_chat_back(turn, reason)
        return
    if not turn.config.transfers:
        owe_call_back(turn, reason)
        return
    turn.flag(reason)
    turn.finish()
    turn.conversation.handled_by = "waiting"
    turn.remember(misses=0)
    turn.replies.append(Outgoing(text=turn.prompts.say("handoff"), handoff=True))


def home_line(turn: Turn) -> str | None:
    home = turn.person.primary_address if turn.person else None
    return home.one_line() if home else None


def place_from_words(turn: Turn, said: str) -> dict[str, Any]:
    found = locate(turn.session, said)
    if found is None:
        # Kept as said from the house number on ("j'habite au" is not the address).
        return {"text": spoken_to_written(said)[:300], "lat": None, "lon": None}
    return {"text": found.street, "lat": found.lat, "lon": found.lon}


def active_requests(turn: Turn) -> list[HelpRequest]:
    if turn.person is None:
        return []
    return list(
        turn.session.scalars(
            select(HelpRequest)
            .where(
                HelpRequest.requester_id == turn.person.id, HelpRequest.status.in_(ACTIVE_STATUSES)
            )
            .order_by(HelpRequest.created_at.desc())
        )
    )


def create_and_dispatch(turn: Turn) -> None:
    """Record the confirmed request, then offer it to the best neighbours."""
    assert turn.person is not None, "registration comes before a request"
    slots = turn.slots
    window = slots.get("window")
    place = slots.get("place")
    coords: dict[str, Any] = {}
    place_text = ""
    if isinstance(place, dict):
        place_text = place.get("text") or ""
        if place.get("lat") is not None:
            coords = {"lat": place["lat"], "lon": place["lon"]}
    pay = PayMode(slots.get("pay") or PayMode.volunteer)
    data = HelpRequestCreate(
        requester_id=turn.person.id,
        service=slots.get("service"),
        details=slots.get("details") or "",
        place_text=place_text,
        window_start=datetime.fromisoformat(window[0]) if window else None,
        window_end=datetime.fromisoformat(window[1]) if window else None,
        pay_mode=pay,
        price_cents=slots.get("price_cents") if pay == PayMode.cash else None,
        language=turn.language,
        channel=turn.incoming.channel,
        submit=False,
        **coords,
    )
    request = create_request(turn.session, data)
    if request.lat is None:
        # Nowhere to send a helper yet: a dispatcher finds the address with the person.
        flag_for_dispatcher(turn.session, request, "address to verify", actor_id=turn.person.id)
        turn.finish()
        turn.remember(last_request_id=request.id)
        turn.say("request_created_flagged")
        return
    from backend.requests.service import submit

    submit(turn.session, request, actor_id=turn.person.id)
    try:
        start_dispatch(turn.session, request, turn.config.dispatch.policy, turn.now)
    except DomainError as exc:
        flag_for_dispatcher(turn.session, request, f"dispatch failed: {exc.message}")
    turn.finish()
    turn.remember(last_request_id=request.id)
    turn.say("request_created")


def register(turn: Turn) -> None:
    """Create the person from the registration slots and attach this conversation to them."""
    from backend.people.models import ContactKind
    from backend.people.schemas import AddressIn, PersonCreate
    from backend.people.service import add_contact, create_person, release_unproven_phone

    slots = turn.slots
    address = slots.get("address") or {}
    person = create_person(
        turn.session,
        PersonCreate(
            display_name=slots["name"],
            language=turn.language,
            address=AddressIn(
                street=address.get("street") or address.get("text") or "?",
                postcode=address.get("postcode", ""),
                city=address.get("city", ""),
                neighbourhood=address.get("neighbourhood", ""),
                lat=address.get("lat"),
                lon=address.get("lon"),
            )
            if address
            else None,
        ),
    )
    if turn.incoming.channel == "telegram" and turn.incoming.sender_id:
        add_contact(
            turn.session, person, ContactKind.telegram, turn.incoming.sender_id, verified=True
        )
    if turn.incoming.channel in ("voice", "sms"):
        # The number the call or text came from: the network vouches for it, as it does when
        # the caller is recognised by it. A claim on it that was never proven gives way.
        phone: str | None = turn.conversation.address
        if phone:
            release_unproven_phone(turn.session, phone)
    else:
        # Only a number proven in this conversation (own contact card, or the code typed
        # back): one merely typed is never kept, whatever an older state says.
        phone = slots.get("phone") if slots.get("phone_verified") is True else None
    if phone:
        add_contact(turn.session, person, ContactKind.phone, phone, verified=True)
    turn.conversation.person_id = person.id
    turn.person = person
    if address and address.get("lat") is None:
        turn.flag("address_to_verify")


def phone_number(said: str) -> str | None:
    """The number in E.164 form, or None when it is not one."""
    from backend.people.phones import normalise_phone

    try:
        return normalise_phone(said)
    except DomainError:
        return None


def phone_owner(turn: Turn, e164: str) -> Person | None:
    """Who has the number, a claim typed on Telegram and never proven aside (service.py)."""
    from backend.people.service import find_by_caller_id

    return find_by_caller_id(turn.session, e164)


def link_shared_phone(turn: Turn, phone: str) -> str:
    """A Telegram user has PROVEN the number is theirs (their own contact card, or the code
    sent to it typed back; a typed number proves nothing, see `send_phone_code`).

    'linked' to the person who has it (one identity across channels), 'new' when nobody has
    it (kept for the registration, verified), 'taken' when its owner is already on Telegram
    with another account, 'invalid' when it is not a number."""
    from backend.people.models import ContactKind
    from backend.people.service import add_contact, release_unproven_phone

    e164 = phone_number(phone)
    if e164 is None:
        return "invalid"
    release_unproven_phone(turn.session, e164)  # someone else's typed claim gives way to proof
    owner = phone_owner(turn, e164)
    if owner is None:
        turn.set_slots(phone=e164, phone_verified=True)
        return "new"
    if owner.contact(ContactKind.telegram) not in (None, turn.incoming.sender_id):
        return "taken"
    add_contact(turn.session, owner, ContactKind.phone, e164, verified=True)  # proven now
    if turn.incoming.sender_id:
        add_contact(
            turn.session, owner, ContactKind.telegram, turn.incoming.sender_id, verified=True
        )
    turn.conversation.person_id = owner.id
    turn.person = owner
    return "linked"


def _claimant(turn: Turn) -> str:
    return f"{turn.incoming.channel}:{turn.incoming.sender_id or turn.conversation.address}"


def send_phone_code(turn: Turn, e164: str) -> SentCode:
    """A code to the number (by SMS, or a call to a landline) that only this conversation may
    type back: in its owner's language when someone has the number, else in the
    conversation's. Raises Conflict (reason "too_many_codes")."""
    from backend.people.phone_codes import send_phone_code as send

    owner = phone_owner(turn, e164)
    return send(
        turn.session,
        e164,
        _claimant(turn),
        language=owner.language if owner is not None else turn.language,
        person_id=owner.id if owner is not None else None,
        now=turn.now,
    )


def check_phone_code(turn: Turn, e164: str, code: str) -> RedeemOutcome:
    from backend.people.phone_codes import redeem_phone_code

    return redeem_phone_code(turn.session, e164, _claimant(turn), code, now=turn.now)


def locate_address(turn: Turn, said: str) -> dict[str, Any]:
    found = locate(turn.session, said)
    if found is None:
        return {"street": spoken_to_written(said)[:200], "lat": None, "lon": None}
    return {
        "street": found.street,
        "postcode": found.postcode,
        "city": found.city,
        "neighbourhood": found.neighbourhood,
        "lat": found.lat,
        "lon": found.lon,
    }


def address_line(address: dict[str, Any]) -> str:
    town = f"{address.get('postcode', '')} {address.get('city', '')}".strip()
    return ", ".join(part for part in (address.get("street", ""), town) if part)


def set_home(turn: Turn, address: dict[str, Any]) -> None:
    from backend.people.schemas import AddressIn
    from backend.people.service import set_address

    if turn.person is None or not address:
        return
    set_address(
        turn.session,
        turn.person,
        AddressIn(
            street=address.get("street") or "?",
            postcode=address.get("postcode", ""),
            city=address.get("city", ""),
            neighbourhood=address.get("neighbourhood", ""),
            lat=address.get("lat"),
            lon=address.get("lon"),
        ),
    )


def emergency(turn: Turn) -> None:
    """Tell them to call 15/112 at once, and put the conversation at the top of the console;
    a dispatcher on the line, or else the soonest call-back (flows/call_back.py)."""
    from dialogues.flows.call_back import emergency as owe_emergency

    turn.flag("emergency")
    turn.finish()
    turn.conversation.handled_by = "waiting"
    owe_emergency(turn)
