"""The phone line's own events, as the router's `call:` choices (diagram: phone_calls.md).

- `call:start`: someone rings the hotline. A stranger registers; a known caller is greeted by
  name, hears any message waiting for them, is offered the other party of a job under way
  (masked numbers), or the menu.
- `call:answered:<outbox id>`: a call we placed is picked up. A `follow_up` starts the care
  call; any other notification is read aloud, with keypad answers when it has some.
- `call:machine:<outbox id>`, `call:fax:<outbox id>`: an answering machine or a fax picked
  it up (dialogues/flows/answering_machine.py): a short message is left, the row is retried.
- `call:unreached:<dispatcher|party>:<status>`: a transfer nobody answered: a call-back is
  owed (dialogues/flows/call_back.py), the caller is told when, and the call goes on.
- `call:connected:dispatcher`: a transfer to the team was answered; a "Rappeler" call that
  got through closes its call-back task.
- `call:ended:<status>[:<outbox id>]`: Twilio's status callback. A request cut off mid-way
  is kept as a draft flagged for a dispatcher; a follow-up or an important message nobody
  answered is flagged too; a request booked during the call is confirmed by SMS.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from backend.dispatch.messages import reach
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import drop
from backend.requests.models import ACTIVE_STATUSES, HelpRequest, PayMode
from backend.requests.schemas import HelpRequestCreate
from backend.requests.service import create_request, flag_for_dispatcher
from dialogues.flows.answering_machine import no_longer_current
from dialogues.flows.follow_up import FollowUpFlow, end_call, flag_unanswered
from dialogues.flows.masked_call import MaskedCallFlow, first_name, other_party
from dialogues.flows.one_shots import describe_request
from dialogues.job_times import reported_no_show
from dialogues.messages import Choice, Expect
from dialogues.notifications import render_notification
from dialogues.notify import notify_person
from dialogues.turn import Turn
from dialogues.understanding import yes_or_no

DROPPED = "dropped_call"  # conversation flag: a call ended mid-request
UNANSWERED = "call_unanswered"  # conversation flag: a message that matters did not get through
# Notifications a person must hear: unanswered, a dispatcher phones them instead.
MUST_REACH = (
    "assigned_helper",
    "assigned_requester",
    "request_cancelled",
    "changed_helper",
    "dispatcher_message",
    "nobody",
)
# Messages that are read to a caller at the start of their call instead of ringing them.
READ_IN_CALL = (*MUST_REACH, "offer_withdrawn", "handed_back", "emergency_cleared")


def handle_call_event(turn: Turn, choice: str) -> None:
    parts = choice.split(":")
    event = parts[1] if len(parts) > 1 else ""
    number = parts[-1] if parts[-1].isdigit() else None
    if event == "start":
        on_start(turn)
    elif event == "answered" and number is not None:
        on_answered(turn, int(number))
    elif event in ("machine", "fax") and number is not None:
        from dialogues.flows.answering_machine import on_fax, on_machine

        (on_machine if event == "machine" else on_fax)(turn, int(number))
    elif event == "unreached" and len(parts) > 2:
        from dialogues.flows.call_back import on_unreached

        on_unreached(turn, parts[2])
    elif event == "connected":
        from dialogues.flows.call_back import on_connected

        on_connected(turn)
    elif event == "ended" and len(parts) > 2:
        on_ended(turn, parts[2], int(number) if number is not None else None)
    else:
        turn.say("not_understood")


# ---------------------------------------------------------------------- a call comes in
def on_start(turn: Turn) -> None:
    if turn.flow:
        # An earlier call ended mid-way and its status never came: keep what it said.
        keep_unfinished(turn)
    turn.remember(misses=0)
    person = turn.person
    if person is None:
        from dialogues.flows.registry import FLOWS

        FLOWS["registration"].start(turn, resume={})
        return
    turn.say("greeting_known", name=first_name(person))
    read_waiting_messages(turn, announce=True)
    party = other_party(turn)
    if party is not None:
        MaskedCallFlow().start(turn, request=party[0], other=party[1])
        return
    no_show = reported_no_show(turn.session, person.id)
    if no_show is not None:  # told what happens now, not announced as a coming visit
        turn.say("status_no_show", **describe_request(turn, no_show))
    from dialogues.router import _menu  # the main menu, as after a greeting

    _menu(turn)


def read_waiting_messages(turn: Turn, *, announce: bool = False) -> int:
    """Messages waiting to ring this number are said now, and marked delivered, in the same
    transaction (a retried turn answers with the stored replies, so nothing is said twice)."""
    rows = turn.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == "voice_call",
            OutboxMessage.address == turn.conversation.address,
            OutboxMessage.status == OutboxStatus.pending,
            OutboxMessage.kind.in_(READ_IN_CALL),
        )
        .order_by(OutboxMessage.id)
    ).all()
    rows = [row for row in rows if not _dropped_if_stale(turn, row)]
    if rows and announce:
        turn.say("voice.message_waiting")
    for row in rows:
        for reply in render_notification(row.kind, spoken_payload(turn, row), turn.language):
            turn.say_text(reply.text)
        row.status, row.sent_at, row.attempts = OutboxStatus.sent, turn.now, row.attempts + 1
        row.provider_id = f"read-in-call:{turn.incoming.external_id or ''}"[:80]
    return len(rows)


def _dropped_if_stale(turn: Turn, row: OutboxMessage) -> bool:
    """A waiting message about a job cancelled or given to someone else meanwhile is not read
    (dialogues/flows/answering_machine.py: the same rule as for a call placed again)."""
    reason = no_longer_current(turn.session, row, turn.now)
    if reason is not None:
        drop(row, f"{reason} : non lu pendant l'appel")
    return reason is not None


def spoken_payload(turn: Turn, row: OutboxMessage) -> dict[str, Any]:
    """Masked numbers: the hotline puts people through, so no one's number is read out."""
    payload = dict(row.payload or {})
    if "requester_phone" in payload:
        payload["requester_phone"] = turn.prompts.say("voice.phone_masked")
    return payload


# ---------------------------------------------------------------------- a call we placed
def on_answered(turn: Turn, outbox_id: int) -> None:
    message = turn.session.get(OutboxMessage, outbox_id)
    if turn.flow:
        keep_unfinished(turn)
    if message is None or message.address != turn.conversation.address:
        end_call(turn)
        return
    if message.kind == "follow_up":
        FollowUpFlow().start(turn, request_id=message.payload.get("request_id"))
        return
    if message.kind == "callback":  # a dispatcher's "Rappeler" (flows/call_back.py)
        from dialogues.flows.call_back import put_through

        put_through(turn, message.payload.get("callback_id"))
        return
    PhoneNotificationFlow().start(turn, message=message)


class PhoneNotificationFlow:
    """A notification read aloud on a call we placed; an offer is answered by keypad or voice
    (1 or "oui" accepts, 2 or "non" declines), then the details are read at once."""

    name = "phone_notification"

    def start(self, turn: Turn, message: OutboxMessage | None = None, **_: Any) -> None:
        if message is None:
            end_call(turn)
            return
        if turn.person is not None:
            turn.say("greeting_known", name=first_name(turn.person))
        replies = render_notification(message.kind, spoken_payload(turn, message), turn.language)
        text = " ".join(r.text for r in replies)
        # Answers keep the notification's own ids behind an `answer:` prefix: the router acts
        # on bare `offer:` ids by itself, and here the call must go on afterwards.
        choices = [Choice(f"answer:{c.id}", c.label, c.key) for r in replies for c in r.choices]
        choices = [c for c in choices if c.key]
        turn.goto(self.name, "answer" if choices else "heard")
        turn.set_slots(outbox_id=message.id)
        if not choices:
            text = f"{text} {turn.prompts.say('voice.replay_hint')}"
        turn.ask_text(text, Expect.choice, choices)

    def handle(self, turn: Turn) -> None:
        if turn.step != "answer":
            end_call(turn)  # heard it (9 replays it, in the router)
            return
        choice = turn.incoming.choice or ""
        if not choice.startswith("answer:"):
            said = yes_or_no(turn.incoming, turn.understanding)
            keyed = {c.get("key"): c["id"] for c in turn.state["question"].get("choices", [])}
            choice = keyed.get({True: "1", False: "2"}.get(said), "") if said is not None else ""
        if not choice:
            if int(turn.slots.get("misses", 0)) >= 1:
                end_call(turn)  # not a person to hand over: the offer simply goes unanswered
                return
            turn.set_slots(misses=1)
            turn.say("voice.not_heard" if turn.incoming.silence else "not_understood")
            turn.repeat_question()
            return
        from dialogues.flows.notifications_replies import handle_notification_choice

        turn.finish()
        handle_notification_choice(turn, choice[len("answer:") :])
        read_waiting_messages(turn)  # the winner hears the address and the word right away
        end_call(turn)


# ---------------------------------------------------------------------- a call ends
def on_ended(turn: Turn, status: str, outbox_id: int | None) -> None:
    turn.remember(last_call={"status": status, "ended_at": turn.now.isoformat()})
    if turn.flow:
        keep_unfinished(turn)
    confirm_in_writing(turn)
    if status == "completed" or outbox_id is None:
        return
    # A call we placed was not answered (busy, no-answer, failed, canceled).
    message = turn.session.get(OutboxMessage, outbox_id)
    if message is None:
        return
    if message.kind == "follow_up":
        flag_unanswered(turn, message.payload.get("request_id"), f"appel sans réponse ({status})")
    elif message.kind in MUST_REACH:
        turn.flag(UNANSWERED)


def confirm_in_writing(turn: Turn) -> None:
    """A request booked during the call is confirmed by SMS (or Telegram), to keep: never by
    another call, which would only repeat what was just heard."""
    request_id = turn.state.get("last_request_id")
    person = turn.person
    if not request_id or person is None or turn.state.get("confirmed_request_id") == request_id:
        return
    request = turn.session.get(HelpRequest, int(request_id))
    route = reach(person)
    if request is None or request.status not in ACTIVE_STATUSES or route is None:
        return
    if route[0] == "voice_call":
        return
    notify_person(
        turn.session,
        person,
        "request_confirmed",
        {
            "request_id": request.id,
            "service": request.service,
            "window_start": request.window_start.isoformat() if request.window_start else None,
            "window_end": request.window_end.isoformat() if request.window_end else None,
        },
        dedupe_key=f"request_confirmed:{request.id}",
    )
    turn.remember(confirmed_request_id=request.id)


def keep_unfinished(turn: Turn) -> None:
    """The call ended with a flow mid-way: what matters is kept for a dispatcher."""
    flow = turn.flow
    if flow == "request_help":
        save_draft(turn)
        turn.flag(DROPPED)
    elif flow == "registration":
        turn.flag(DROPPED)
    elif flow == FollowUpFlow.name:
        flag_unanswered(turn, turn.slots.get("request_id"), "appel interrompu")
    elif flow == "danger_check":
        turn.flag("emergency")  # hung up at "en danger maintenant ?": safety first
        turn.conversation.handled_by = "waiting"
        # Nobody is left to tell, but someone must ring back: the first task in the console.
        from backend.callbacks.models import CallbackReason
        from dialogues.flows.call_back import open_task

        open_task(
            turn.session,
            turn.conversation,
            turn.incoming,
            turn.now,
            reason=CallbackReason.emergency,
            person=turn.person,
        )
    turn.finish()
    turn.remember(question=None, misses=0)


def save_draft(turn: Turn) -> None:
    """What the caller had said, as a draft request that a dispatcher completes with them."""
    if turn.person is None:
        return
    slots = turn.slots
    window = slots.get("window") or None
    place = slots.get("place")
    located: dict[str, Any] = {}
    if isinstance(place, dict):
        located["place_text"] = (place.get("text") or "")[:300]
        if place.get("lat") is not None:
            located.update(lat=place["lat"], lon=place["lon"])
    pay = PayMode(slots.get("pay") or PayMode.volunteer)
    price = slots.get("price_cents") if pay == PayMode.cash else None
    fields: dict[str, Any] = {
        "requester_id": turn.person.id,
        "service": slots.get("service"),
        "details": (slots.get("details") or "")[:4000],
        "window_start": datetime.fromisoformat(window[0]) if window else None,
        "window_end": datetime.fromisoformat(window[1]) if window else None,
        "pay_mode": pay if (pay != PayMode.cash or price) else PayMode.volunteer,
        "price_cents": price,
        "language": turn.language,
        "channel": turn.incoming.channel,
        "submit": False,
        **located,
    }
    try:
        data = HelpRequestCreate(**fields)
    except ValidationError:  # half-said things that do not hold together: keep the rest
        data = HelpRequestCreate(
            requester_id=turn.person.id,
            service=slots.get("service"),
            language=turn.language,
            channel=turn.incoming.channel,
            submit=False,
        )
    request = create_request(turn.session, data)
    flag_for_dispatcher(turn.session, request, "appel coupé : demande à terminer avec la personne")
    turn.remember(last_request_id=request.id)
