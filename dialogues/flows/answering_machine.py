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

Idempotent: Twilio may retry the webhook. The engine answers a retried turn with its stored
replies, and the row itself records which calls (CallSid) reached a machine: a call counted
once is never counted again, and only the call the row was last sent as can move it.
"""

from __future__ import annotations

from datetime import timedelta

from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import give_up, send_again
from dialogues.flows.follow_up import flag_unanswered
from dialogues.messages import Outgoing
from dialogues.phone_words import say_phone_number
from dialogues.prompts import Prompts
from dialogues.turn import Turn

MACHINE_RETRIES = 2  # calls placed again after a machine answered; the next machine fails it
RETRY_AFTER = timedelta(minutes=30)
MACHINE_CALLS = "answering_machine_calls"  # in the row's payload: the CallSids a machine took


def on_machine(turn: Turn, outbox_id: int) -> None:
    message = _placed_for(turn, outbox_id)
    machine_calls = list((message.payload or {}).get(MACHINE_CALLS, [])) if message else []
    sid = _call_sid(turn)
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
