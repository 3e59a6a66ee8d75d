"""A call we placed was answered by an answering machine or a fax (diagram: phone_calls.md).

The call asks Twilio for answering machine detection (bots/voice/sender.py:
`MachineDetection=DetectMessageEnd`, synchronous), so the call's first webhook comes after the
greeting's beep and says who answered (`AnsweredBy`); bots/voice/webhook.py turns a machine
into `call:machine:<outbox id>` and a fax into `call:fax:<outbox id>`.

- A machine hears a short message in the person's language (who we are, that we will call
  back, the hotline's number) and nothing a stranger listening to it should hear: no name,
  address, code or safety word. The outbox row is not delivered: it is due again
  `RETRY_AFTER` later, at most `MACHINE_RETRIES` times, then failed. A message that matters
  (`MUST_REACH`, a care call) is then flagged for a dispatcher, as a call nobody answers is.
- A fax is not a person's phone: failed at once, no message, no retry.
- What the call is about may change before the call placed again (or while it rings): an
  offer taken by someone else, withdrawn or expired, a job cancelled or given to another
  neighbour. `no_longer_current` says so; bots/voice/sender.py then places no call (the row
  is stored `dropped` with the reason), and a machine that picks up meanwhile hears nothing.

Idempotent: Twilio may retry the webhook. The engine answers a retried turn with its stored
replies, and the row itself records which calls (CallSid) reached a machine: a call counted
once is never counted again, and only the call the row was last sent as can move it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from backend.dispatch.models import Offer, OfferStatus
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import drop, give_up, send_again
from backend.requests.models import HelpRequest, RequestStatus
from dialogues.flows.follow_up import flag_unanswered
from dialogues.messages import Outgoing
from dialogues.phone_words import say_phone_number
from dialogues.prompts import Prompts
from dialogues.turn import Turn

MACHINE_RETRIES = 2  # calls placed again after a machine answered; the next machine fails it
RETRY_AFTER = timedelta(minutes=30)
MACHINE_CALLS = "answering_machine_calls"  # in the row's payload: the CallSids a machine took
# Messages that announce a job: said about a job that has since changed, they would mislead.
JOB_MESSAGES = ("assigned_helper", "assigned_requester")
_STILL_ON = (RequestStatus.assigned, RequestStatus.in_progress)


def on_machine(turn: Turn, outbox_id: int) -> None:
    message = _placed_for(turn, outbox_id)
    machine_calls = list((message.payload or {}).get(MACHINE_CALLS, [])) if message else []
    sid = _call_sid(turn)
    stale = no_longer_current(turn.session, message, turn.now) if message else None
    if message is not None and stale is not None:
        # Changed while the call rang: nothing is left on the machine about it.
        turn.replies.append(Outgoing(text="", end=True))
        if sid not in machine_calls and _sent_as(message, sid):
            drop(message, f"{stale} : rien laissé sur le répondeur")
        return
    last = message is not None and len([*machine_calls, sid]) > MACHINE_RETRIES
    turn.replies.append(Outgoing(text=machine_message(turn, message, last=last), end=True))
    if message is None or sid in machine_calls or not _sent_as(message, sid):
        return
    machine_calls.append(sid)
    message.payload = {**message.payload, MACHINE_CALLS: machine_calls}
    if last:
        give_up(message, f"un répondeur a pris chacun des {len(machine_calls)} appels")
        _tell_a_dispatcher(turn, message, "répondeur à chaque appel")
    else:
        send_again(
            message,
            at=turn.now + RETRY_AFTER,
            reason=f"un répondeur a pris l'appel {len(machine_calls)} : nouvel appel prévu",
        )


def on_fax(turn: Turn, outbox_id: int) -> None:
    turn.replies.append(Outgoing(text="", end=True))  # hang up, nothing to say to a fax
    message = _placed_for(turn, outbox_id)
    if message is None or not _sent_as(message, _call_sid(turn)):
        return
    give_up(message, "un fax a répondu : ce numéro n'est pas celui d'un téléphone")
    _tell_a_dispatcher(turn, message, "un fax a répondu")


def no_longer_current(session: Session, message: OutboxMessage, now: datetime) -> str | None:
    """Why calling about `message` now would say something no longer true, or None."""
    payload = message.payload or {}
    if message.kind == "offer":
        return _offer_gone(session, payload, now)
    if message.kind in JOB_MESSAGES:
        return _job_gone(session, message, payload)
    if message.kind == "changed_helper":
        request = session.get(HelpRequest, _int(payload.get("id")))
        if request is None or request.status not in _STILL_ON:
            return "la demande n'est plus en cours"
    return None


def _offer_gone(session: Session, payload: dict[str, Any], now: datetime) -> str | None:
    offer = session.get(Offer, _int(payload.get("offer_id")))
    if offer is None:
        return "l'offre n'existe plus"
    request = session.get(HelpRequest, offer.request_id)
    if request is not None and request.status == RequestStatus.cancelled:
        return "la demande a été annulée entre-temps"
    if request is not None and request.helper_id not in (None, offer.helper_id):
        return "l'offre a été prise par quelqu'un d'autre entre-temps"
    if offer.status == OfferStatus.pending and offer.expires_at <= now:
        return "l'offre a expiré entre-temps"
    return {
        OfferStatus.expired: "l'offre a expiré entre-temps",
        OfferStatus.withdrawn: "l'offre a été retirée entre-temps",
        OfferStatus.accepted: "l'offre a déjà été acceptée",
        OfferStatus.declined: "l'offre a déjà été refusée",
    }.get(OfferStatus(offer.status))


def _job_gone(session: Session, message: OutboxMessage, payload: dict[str, Any]) -> str | None:
    request = session.get(HelpRequest, _int(payload.get("request_id")))
    if request is None:
        return "la demande n'existe plus"
    if request.status == RequestStatus.cancelled:
        return "la demande a été annulée entre-temps"
    if request.status not in _STILL_ON:
        return f"la demande n'est plus attribuée ({request.status})"
    # The dedupe key names the assignment announced: "<kind>:<request>:<helper>:<nth>".
    parts = (message.dedupe_key or "").split(":")
    if len(parts) == 4 and parts[2].isdigit() and parts[3].isdigit():
        nth = sum(1 for e in request.events if e.to_status == RequestStatus.assigned)
        if int(parts[2]) != request.helper_id or int(parts[3]) != nth:
            return "la demande a été attribuée à nouveau entre-temps"
    return None


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0


def machine_message(turn: Turn, message: OutboxMessage | None, *, last: bool) -> str:
    """What the machine records: short, general, in the person's language."""
    language = str((message.payload or {}).get("language") or "") if message else ""
    p = Prompts(language) if language in ("fr", "en") else turn.prompts
    words = [p.say("voice.machine_message_last" if last else "voice.machine_message")]
    hotline = turn.config.hotline
    if hotline:
        words.append(p.say("voice.machine_call_us", hotline=say_phone_number(hotline, p.language)))
    words.append(p.say("voice.machine_goodbye"))
    return " ".join(words)


def _placed_for(turn: Turn, outbox_id: int) -> OutboxMessage | None:
    message = turn.session.get(OutboxMessage, outbox_id)
    if message is None or message.channel != "voice_call":
        return None
    return message if message.address == turn.conversation.address else None


def _sent_as(message: OutboxMessage, call_sid: str) -> bool:
    """The row was last sent as this call (or is being marked sent: its id not yet stored)."""
    if message.status == OutboxStatus.sending:
        return True
    return message.status == OutboxStatus.sent and message.provider_id == call_sid


def _call_sid(turn: Turn) -> str:
    """The CallSid, from the turn's external id "voice:<CallSid>:<turn>"."""
    parts = (turn.incoming.external_id or "").split(":")
    return parts[1] if len(parts) > 2 else ""


def _tell_a_dispatcher(turn: Turn, message: OutboxMessage, why: str) -> None:
    from dialogues.flows.phone_calls import MUST_REACH, UNANSWERED

    if message.kind == "follow_up":
        flag_unanswered(turn, (message.payload or {}).get("request_id"), why)
    elif message.kind in MUST_REACH:
        turn.flag(UNANSWERED)
