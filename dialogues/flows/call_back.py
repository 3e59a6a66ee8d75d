"""No dead ends: when nobody can take the call (no dispatcher line, a transfer nobody
answered, the other party of a job unreachable), or a chat asks for a person, a person of the
team owes them an answer, and no promise is said that no task backs.

A task is opened for a dispatcher (backend/callbacks: one open per person on the phone, per
number when unknown, one open per chat; a retried webhook opens none twice, a second call adds
to the first one's and hears it is already planned), and the person is told honestly when:
"Personne n'est disponible pour l'instant. Quelqu'un de l'équipe vous rappellera au <their
number> avant 18 h." The call then goes on ("Voulez-vous autre chose ?", keypad answers)
or, the second time in one call, ends politely. An emergency is owed the soonest answer,
listed first, and the caller is told again not to wait for it but to call 15 / 112. A
promise is never moved later: past it, the person hears that the team is late ("Nous avons
du retard") and "dès que possible". Diagram: phone_calls.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.callbacks.models import CallbackReason, CallbackStatus, CallbackTask
from backend.callbacks.service import (
    PARIS,
    answered_by_phone,
    ask_again,
    open_callback,
    open_for_caller,
    open_of_conversation,
    rang_by,
)
from backend.conversations.models import Conversation, ConversationMessage
from backend.people.models import ContactKind, Person
from dialogues.messages import Choice, Expect, Incoming, Outgoing
from dialogues.phone_words import say_phone_number
from dialogues.prompts import Prompts
from dialogues.turn import Turn

# What hand_over's reasons become as call-back reasons.
REASONS = {
    "asked_for_human": CallbackReason.asked_for_human,
    "misunderstood_twice": CallbackReason.misunderstood,
}
VOICE = "voice"
PHONE_NUMBERED = ("voice", "sms")  # channels whose address is the person's phone number


def _task_of_turn(turn: Turn, reason: str) -> Owed:
    return open_task(
        turn.session,
        turn.conversation,
        turn.incoming,
        turn.now,
        reason=str(REASONS.get(reason, reason)),
        person=turn.person,
    )


def owe_call_back(
    turn: Turn, reason: str, *, lead: str = "voice.callback_nobody", end: bool = False
) -> None:
    """Open this call's call-back task and say when; then "anything else?" or goodbye
    (`end`, an emergency, or owed already in this call). A caller who rang before is owed
    the same call-back: they hear that it is already planned, and by when it was promised."""
    urgent = reason == CallbackReason.emergency
    owed = _task_of_turn(turn, reason)
    turn.finish()
    turn.remember(misses=0, question=None)
    p = turn.prompts
    promise = p.say(
        "voice.callback_promise",
        phone=say_phone_number(owed.task.phone, turn.language),
        when=owed_by(owed.task, turn.now, turn.language),
    )
    said = [p.say(lead)]
    if owed.again:
        said.append(p.say("voice.callback_already"))
    if owed.late(turn.now):
        said.append(p.say("callback_late"))
    text = " ".join([*said, promise])
    if urgent:
        # In danger, the caller hangs up to call 15 / 112: no menu to listen through first.
        turn.replies.append(
            Outgoing(text=f"{text} {p.say('voice.callback_emergency_end')}", end=True)
        )
        return
    if end or not (owed.created or owed.again):
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


def owe_chat_back(turn: Turn, reason: str) -> None:
    """A chat (Telegram, the terminal) asked for a person or is misunderstood: the bot falls
    silent, a task is owed in the console, and the person is told by when they are answered."""
    turn.flag(reason)
    turn.finish()
    turn.conversation.handled_by = "waiting"
    turn.remember(misses=0)
    owed = _task_of_turn(turn, reason)
    key = "handoff_misunderstood" if reason == "misunderstood_twice" else "handoff_telegram"
    if owed.late(turn.now):
        key = "chat_back_late"  # asked again past the promise: late, and no new time
    text = turn.prompts.say(key, when=owed_by(owed.task, turn.now, turn.language))
    turn.replies.append(Outgoing(text=text, handoff=True))


def emergency_chat_back(
    session: Session,
    conversation: Conversation,
    incoming: Incoming,
    now: datetime,
    person: Person | None,
    language: str,
) -> Outgoing:
    """The chat's emergency task (or its open task, made an emergency) and by when the team
    writes; said after the emergency answer, so 15 / 112 is read first."""
    owed = open_task(
        session, conversation, incoming, now, reason=CallbackReason.emergency, person=person
    )
    prompts = Prompts(language)
    text = prompts.say("emergency_chat_when", when=owed_by(owed.task, now, language))
    if owed.late(now):
        text = f"{prompts.say('callback_late')} {text}"
    return Outgoing(text=text)


def late_chat_back(
    session: Session,
    conversation: Conversation,
    incoming: Incoming,
    now: datetime,
    language: str,
) -> Outgoing | None:
    """A chat writes again while it waits for the team, past the time it was promised: told
    once, honestly, that the team is late (no new time); silent otherwise, as the bot is
    while a person of the team is owed. Counted as asking again."""
    if conversation.channel == VOICE or conversation.handled_by != "waiting":
        return None
    task = open_of_conversation(session, conversation.id)
    if task is None or task.due_by > now or (conversation.state or {}).get("late_told") == task.id:
        return None
    ask_again(task, now, reason=task.reason, last_words=incoming.text or "")
    conversation.state = {**(conversation.state or {}), "late_told": task.id}
    return Outgoing(text=Prompts(language).say("chat_back_late"))


@dataclass(frozen=True)
class Owed:
    """The task a call or a chat is owed, and how it came to be."""

    task: CallbackTask
    created: bool  # opened just now
    again: bool  # owed since an earlier call or message: the person asked again

    def late(self, now: datetime) -> bool:
        """Its promise has passed: said with an apology and no new time (it stays overdue)."""
        return self.task.due_by <= now


def open_task(
    session: Session,
    conversation: Conversation,
    incoming: Incoming,
    now: datetime,
    *,
    reason: str,
    person: Person | None,
) -> Owed:
    """The task this call or chat is owed: one open per person (per number when unknown) on
    the phone, one open per chat. Asking again adds to it and keeps its promise (an
    emergency makes it sooner); a retried webhook, or a second ask in one call, adds nothing."""
    on_phone = conversation.channel == VOICE
    key = _key(conversation, incoming, now)
    rung = _rung_for(session, conversation, key) if on_phone else None
    if rung is not None:  # our own "Rappeler" call, not the person asking again
        task, _ = open_callback(session, key=rung.key, phone=rung.phone, reason=reason, now=now)
        return Owed(task, created=False, again=False)
    this_turn = _owed_in(session, conversation, key)
    if this_turn is not None:
        task, _ = open_callback(
            session, key=this_turn.key, phone=this_turn.phone, reason=reason, now=now
        )
        return Owed(task, created=False, again=False)
    # The number that rang or texted us; a chat's is the person's own, if we know it.
    if conversation.channel in PHONE_NUMBERED:
        phone: str | None = conversation.address
    else:
        phone = person.contact(ContactKind.phone) if person else None
    words = last_words(session, conversation, incoming)
    earlier = (
        open_for_caller(
            session, person_id=person.id if person else None, phone=phone or "", channels=(VOICE,)
        )
        if on_phone
        else open_of_conversation(session, conversation.id)
    )
    if earlier is not None:
        ask_again(earlier, now, reason=reason, last_words=words)
        _remember_owed(conversation, key, earlier)
        return Owed(earlier, created=False, again=True)
    task, created = open_callback(
        session,
        key=key,
        phone=phone or "",
        reason=reason,
        now=now,
        last_words=words,
        person_id=person.id if person else None,
        conversation_id=conversation.id,
    )
    _remember_owed(conversation, key, task)
    return Owed(task, created=created, again=False)


def _owed_in(session: Session, conversation: Conversation, key: str) -> CallbackTask | None:
    """The task this call (or chat message) already opened or added to, if any."""
    owed = (conversation.state or {}).get("callback_owed")
    if isinstance(owed, dict) and owed.get("key") == key and isinstance(owed.get("task"), int):
        task = session.get(CallbackTask, owed["task"])
        if task is not None:
            return task
    return session.scalar(select(CallbackTask).where(CallbackTask.key == key))


def _remember_owed(conversation: Conversation, key: str, task: CallbackTask) -> None:
    conversation.state = {
        **(conversation.state or {}),
        "callback_owed": {"key": key, "task": task.id},
    }


def owed_by(task: CallbackTask, now: datetime, language: str) -> str:
    """When the task was promised ("avant 12 h"); past that, "dès que possible", never a new
    time: the team is held to the first promise."""
    if task.due_by <= now:
        return Prompts(language).say("callback_asap")
    return say_by(task.due_by, now, language)


def say_by(due: datetime, now: datetime, language: str) -> str:
    """ "avant 18 h", "demain matin avant 11 h" ("by 6 pm", "tomorrow morning by 11 am")."""
    local, today = due.astimezone(PARIS), now.astimezone(PARIS).date()
    if language == "fr":
        hour = f"{local.hour} h" + (f" {local.minute:02d}" if local.minute else "")
    else:
        hour = f"{local.hour % 12 or 12}" + (f":{local.minute:02d}" if local.minute else "")
        hour += " am" if local.hour < 12 else " pm"
    key = "voice.callback_today" if local.date() == today else "voice.callback_tomorrow"
    return Prompts(language).say(key, hour=hour)


def _key(conversation: Conversation, incoming: Incoming, now: datetime) -> str:
    """One task per call: the CallSid of "voice:<CallSid>:<turn>"; a chat's is its message's
    (a retried update is rolled back whole by the engine, so it opens nothing twice)."""
    parts = (incoming.external_id or "").split(":")
    if conversation.channel == VOICE and len(parts) > 2 and parts[1]:
        return f"voice:{parts[1]}"
    if conversation.channel != VOICE and incoming.external_id:
        return f"chat:{conversation.id}:{incoming.external_id}"[:120]
    return f"{conversation.channel}:{conversation.id}:{now.isoformat()}"


def last_words(session: Session, conversation: Conversation, incoming: Incoming) -> str:
    """What the person said last: this turn's words, else the last ones on record."""
    if incoming.text and incoming.text.strip():
        return incoming.text
    said = session.scalar(
        select(ConversationMessage.text)
        .where(
            ConversationMessage.conversation_id == conversation.id,
            ConversationMessage.direction == "in",
            ConversationMessage.text != "",
            ~ConversationMessage.text.startswith("["),  # [silence], [touches] 0, ...
        )
        .order_by(ConversationMessage.id.desc())
        .limit(1)
    )
    return said or ""


def on_unreached(turn: Turn, to: str, *, lead: str = "voice.callback_party") -> None:
    """`call:unreached:<dispatcher|party>:<status>`: the <Dial> ended unanswered (no-answer,
    busy, failed). Nobody took the call, so a call-back is owed; the bot has the call again,
    except after an emergency, which stays for a dispatcher (the next call is put through)."""
    if "emergency" in turn.conversation.flags and to != "party":
        owe_call_back(turn, CallbackReason.emergency, lead="voice.callback_unanswered")
        return
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
    owe_call_back(turn, reason, lead=lead)


def put_through(turn: Turn, task_id: object = None) -> None:
    """A "Rappeler" call (outbox kind "callback") is picked up: on to the dispatcher's phone.
    Should nobody pick up there, this call is the task's own, not a new one owed."""
    turn.finish()
    if isinstance(task_id, int):
        key = _key(turn.conversation, turn.incoming, turn.now)
        turn.remember(callback_call=key, callback_task=task_id)
    turn.replies.append(Outgoing(text=turn.prompts.say("notify.callback"), handoff=True))


def on_connected(turn: Turn) -> None:
    """`call:connected:dispatcher`: a transfer was answered and they talked. On a "Rappeler"
    call the person has been called back: its task is done, by whoever pressed Rappeler."""
    key = _key(turn.conversation, turn.incoming, turn.now)
    task_id = turn.state.get("callback_task")
    if turn.state.get("callback_call") != key or not isinstance(task_id, int):
        return
    task = turn.session.get(CallbackTask, task_id)
    if task is None:
        return
    answered_by_phone(turn.session, task.id, rang_by(turn.session, task), turn.now)


def _rung_for(session: Session, conversation: Conversation, key: str) -> CallbackTask | None:
    """The open task this call was placed for (put_through), if it is that call."""
    state = conversation.state or {}
    if state.get("callback_call") != key or not isinstance(state.get("callback_task"), int):
        return None
    task = session.get(CallbackTask, state["callback_task"])
    return task if task is not None and task.status == CallbackStatus.open else None


def held_without_a_line(turn: Turn) -> None:
    """A call while the conversation waits for, or is held by, a dispatcher, and the line
    cannot put it through (no DISPATCHER_PHONE): a call-back, not a transfer into nowhere."""
    if "emergency" in turn.conversation.flags:
        owe_call_back(turn, CallbackReason.emergency, lead="voice.callback_emergency_lead")
        return
    owe_call_back(turn, CallbackReason.asked_for_human, end=True)


def emergency(turn: Turn) -> None:
    """After the emergency answer (call 15 / 112): a dispatcher, or the soonest call-back.
    On a line with DISPATCHER_PHONE the call is put through; otherwise, and on a chat, a task
    is owed first in the console and the person is told by when."""
    p = turn.prompts
    if turn.incoming.channel == VOICE:
        if turn.config.transfers:
            turn.replies.append(Outgoing(text=p.say("emergency"), handoff=True))
            return
        turn.say("emergency")
        owe_call_back(turn, CallbackReason.emergency, lead="voice.callback_emergency_lead")
        return
    turn.say("emergency")
    turn.replies.append(
        emergency_chat_back(
            turn.session, turn.conversation, turn.incoming, turn.now, turn.person, turn.language
        )
    )
