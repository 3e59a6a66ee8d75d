"""No dead ends on the phone: when nobody can take the call (no dispatcher line, a transfer
nobody answered, the other party of a job unreachable), the caller is owed a call-back.

A task is opened for a dispatcher (backend/callbacks, one per call, so a retried webhook
opens none twice), and the caller is told honestly when: "Personne n'est disponible pour
l'instant. Quelqu'un de l'équipe vous rappellera au <their number> avant 18 h." The call then
goes on ("Voulez-vous autre chose ?", keypad answers) or, the second time in one call, ends
politely. Diagram: phone_calls.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from backend.callbacks.models import CallbackReason
from backend.callbacks.service import PARIS, open_callback
from backend.conversations.models import ConversationMessage
from dialogues.messages import Choice, Expect, Outgoing
from dialogues.phone_words import say_phone_number
from dialogues.turn import Turn

# What hand_over's reasons become as call-back reasons.
REASONS = {
    "asked_for_human": CallbackReason.asked_for_human,
    "misunderstood_twice": CallbackReason.misunderstood,
}


def owe_call_back(turn: Turn, reason: str, *, lead: str = "voice.callback_nobody") -> None:
    """Open this call's call-back task and say when; then "anything else?" or goodbye."""
    task, created = open_callback(
        turn.session,
        key=call_key(turn),
        phone=turn.conversation.address,
        reason=str(REASONS.get(reason, reason)),
        now=turn.now,
        last_words=last_words(turn),
        person_id=turn.person.id if turn.person else None,
        conversation_id=turn.conversation.id,
    )
    turn.finish()
    turn.remember(misses=0, question=None)
    p = turn.prompts
    promise = p.say(
        "voice.callback_promise",
        phone=say_phone_number(task.phone, turn.language),
        when=say_by(task.due_by, turn.now, turn.language),
    )
    text = f"{p.say(lead)} {promise}"
    if not created:
        # Owed already in this call: no second round of menus, a polite end.
        turn.replies.append(Outgoing(text=f"{text} {p.say('voice.callback_goodbye')}", end=True))
        return
    turn.say_text(text)
    turn.ask(
        "voice.callback_anything_else",
        Expect.choice,
        (
            Choice("menu:request_help", p.say("menu_need_help"), "1"),
            Choice("menu:check_status", p.say("menu_status"), "2"),
            Choice("menu:goodbye", p.say("voice.callback_no_thanks"), "3"),
        ),
    )


def say_by(due: datetime, now: datetime, language: str) -> str:
    """ "avant 18 h", "demain matin avant 11 h" ("by 6 pm", "tomorrow morning by 11 am")."""
    local, today = due.astimezone(PARIS), now.astimezone(PARIS).date()
    if language == "fr":
        hour = f"{local.hour} h" + (f" {local.minute:02d}" if local.minute else "")
    else:
        hour = f"{local.hour % 12 or 12}" + (f":{local.minute:02d}" if local.minute else "")
        hour += " am" if local.hour < 12 else " pm"
    key = "voice.callback_today" if local.date() == today else "voice.callback_tomorrow"
    from dialogues.prompts import Prompts

    return Prompts(language).say(key, hour=hour)


def call_key(turn: Turn) -> str:
    """One task per call: the CallSid of "voice:<CallSid>:<turn>"."""
    parts = (turn.incoming.external_id or "").split(":")
    if len(parts) > 2 and parts[1]:
        return f"voice:{parts[1]}"
    return f"{turn.incoming.channel}:{turn.conversation.id}:{turn.now.date().isoformat()}"


def last_words(turn: Turn) -> str:
    """What the caller said last: this turn's words, else the last ones on record."""
    if turn.incoming.text and turn.incoming.text.strip():
        return turn.incoming.text
    said = turn.session.scalar(
        select(ConversationMessage.text)
        .where(
            ConversationMessage.conversation_id == turn.conversation.id,
            ConversationMessage.direction == "in",
            ConversationMessage.text != "",
            ~ConversationMessage.text.startswith("["),  # [silence], [touches] 0, ...
        )
        .order_by(ConversationMessage.id.desc())
        .limit(1)
    )
    return said or ""


def on_unreached(turn: Turn, to: str) -> None:
    """`call:unreached:<dispatcher|party>:<status>`: the <Dial> ended unanswered (no-answer,
    busy, failed). Nobody took the call, so the bot has it again and a call-back is owed."""
    if turn.conversation.handled_by == "waiting":
        turn.conversation.handled_by = "bot"
    if to != "party":
        owe_call_back(turn, CallbackReason.transfer_unanswered, lead="voice.callback_unanswered")
        return
    from dialogues.flows.masked_call import other_party

    party = other_party(turn)
    helper_called = party is None or party[0].helper_id == party[1].id
    reason = (
        CallbackReason.helper_unreachable if helper_called else CallbackReason.requester_unreachable
    )
    owe_call_back(turn, reason, lead="voice.callback_party")


def put_through(turn: Turn) -> None:
    """A "Rappeler" call (outbox kind "callback") is picked up: on to the dispatcher's phone."""
    turn.finish()
    turn.replies.append(Outgoing(text=turn.prompts.say("notify.callback"), handoff=True))
