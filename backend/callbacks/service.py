"""Call-back tasks: opened when the hotline cannot put a caller through to a person (no
dispatcher line, the transfer not answered, the helper unreachable), or when a chat
(Telegram) asks for a person; listed for dispatchers emergencies first, then most
overdue first; "Rappeler" rings the person through the outbox (a call
that, once picked up, is put through to the dispatcher); "Fait" closes it with a note, and so
does answering it: a dispatcher writing in the chat owed an answer, or a "Rappeler" call that
reached the team. One open task per person (per number when unknown): asking again adds to
it (`ask_again`) and never moves its promise later, so an overdue task stays overdue.

`promised_by` is the promise said to the caller: a pure function of the time (sooner for an
emergency, which is also told to call 15 / 112 without waiting for it).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.callbacks.models import CallbackReason, CallbackStatus, CallbackTask, DoneHow
from backend.conversations.models import Conversation
from backend.errors import Conflict, InvalidInput, NotFound
from backend.outbox.models import OutboxMessage
from backend.outbox.service import enqueue

PARIS = ZoneInfo("Europe/Paris")
DAY_START, DAY_END = time(9), time(19)  # when someone of the team calls back
WITHIN = timedelta(hours=1, minutes=30)  # then rounded up to the hour: 1 h 30 to 2 h 30
NEXT_MORNING = time(11)  # "demain matin avant 11 h"
URGENT_WITHIN = timedelta(minutes=30)  # an emergency: within half an hour, on the quarter
URGENT_FIRST = time(9, 30)  # an emergency out of hours: the first thing in the morning
MAX_NOTE = 2000
MAX_WORDS = 500


def promised_by(now: datetime, *, urgent: bool = False) -> datetime:
    """When the caller is told someone will have called back (aware UTC in, aware UTC out):
    within about two hours, rounded up to the hour, during the day (9 h - 19 h, Paris);
    before 9 h, by 11 h; too late for today, by 11 h the next morning. `urgent` (an
    emergency): within 30 minutes, rounded up to the quarter hour, by day; else by 9 h 30."""
    if urgent:
        return _urgent_by(now)
    local = now.astimezone(PARIS)
    if local.time() < DAY_START:
        return datetime.combine(local.date(), NEXT_MORNING, PARIS).astimezone(now.tzinfo)
    soon = local + WITHIN
    rounded = soon.replace(minute=0, second=0, microsecond=0)
    if rounded < soon:
        rounded += timedelta(hours=1)
    if rounded.date() == local.date() and rounded.time() <= DAY_END:
        return rounded.astimezone(now.tzinfo)
    tomorrow = local.date() + timedelta(days=1)
    return datetime.combine(tomorrow, NEXT_MORNING, PARIS).astimezone(now.tzinfo)


def _urgent_by(now: datetime) -> datetime:
    local = now.astimezone(PARIS)
    if local.time() < DAY_START:
        return datetime.combine(local.date(), URGENT_FIRST, PARIS).astimezone(now.tzinfo)
    soon = local + URGENT_WITHIN
    rounded = soon.replace(minute=soon.minute - soon.minute % 15, second=0, microsecond=0)
    if rounded < soon:
        rounded += timedelta(minutes=15)
    if rounded.date() == local.date() and rounded.time() <= DAY_END:
        return rounded.astimezone(now.tzinfo)
    tomorrow = local.date() + timedelta(days=1)
    return datetime.combine(tomorrow, URGENT_FIRST, PARIS).astimezone(now.tzinfo)


_EMERGENCY_FIRST = case((CallbackTask.reason == CallbackReason.emergency, 0), else_=1)


def open_callback(
    session: Session,
    *,
    key: str,
    phone: str,
    reason: str,
    now: datetime,
    last_words: str = "",
    person_id: int | None = None,
    conversation_id: int | None = None,
) -> tuple[CallbackTask, bool]:
    """The task of this call (`key`), opened if there is none yet; (task, created). An
    emergency said after an ordinary task of the same call makes that task an emergency,
    due as soon as an emergency's."""
    urgent = reason == CallbackReason.emergency
    existing = session.scalar(select(CallbackTask).where(CallbackTask.key == key))
    if existing is not None:
        if urgent:
            _make_urgent(existing, now)
        return existing, False
    task = CallbackTask(
        key=key[:120],
        phone=phone,
        reason=reason,
        last_words=" ".join(last_words.split())[:MAX_WORDS],
        person_id=person_id,
        conversation_id=conversation_id,
        created_at=now,
        due_by=promised_by(now, urgent=urgent),
        status=CallbackStatus.open,
    )
    try:
        with session.begin_nested():  # a retry racing the original: its row wins
            session.add(task)
    except IntegrityError:
        found = session.scalar(select(CallbackTask).where(CallbackTask.key == key))
        assert found is not None
        return found, False
    return task, True


def ask_again(
    task: CallbackTask, now: datetime, *, reason: str, last_words: str = ""
) -> CallbackTask:
    """The person asks again (another call, another message) before being answered: the same
    task, counted; the earliest promise is kept, made sooner only for an emergency."""
    task.asked += 1
    words = " ".join(last_words.split())[:MAX_WORDS]
    if words:
        task.last_words = words
    if reason == CallbackReason.emergency:
        _make_urgent(task, now)
    return task


def _make_urgent(task: CallbackTask, now: datetime) -> None:
    """An open task becomes an emergency: listed first, due as soon as an emergency's."""
    if task.status == CallbackStatus.open:
        task.reason = CallbackReason.emergency
        task.due_by = min(task.due_by, promised_by(now, urgent=True))


def open_for_caller(
    session: Session, *, person_id: int | None, phone: str, channels: tuple[str, ...]
) -> CallbackTask | None:
    """The open call-back already owed to this person (to this number when unknown) on the
    phone: `channels` are those of the conversations whose tasks are answered by calling."""
    if person_id is None and not phone:
        return None
    # Someone who registered since their first call is still the caller of that number.
    unknown_here = CallbackTask.person_id.is_(None) & (CallbackTask.phone == phone)
    who = (
        unknown_here if person_id is None else (CallbackTask.person_id == person_id) | unknown_here
    )
    return session.scalar(
        select(CallbackTask)
        .outerjoin(Conversation, Conversation.id == CallbackTask.conversation_id)
        .where(
            who,
            CallbackTask.status == CallbackStatus.open,
            CallbackTask.phone != "",
            CallbackTask.conversation_id.is_(None) | Conversation.channel.in_(channels),
        )
        .order_by(_EMERGENCY_FIRST, CallbackTask.due_by, CallbackTask.id)
        .limit(1)
    )


def open_of_conversation(session: Session, conversation_id: int) -> CallbackTask | None:
    """The open task of a conversation, if any (a chat asking twice is owed one answer)."""
    return session.scalar(
        select(CallbackTask)
        .where(
            CallbackTask.conversation_id == conversation_id,
            CallbackTask.status == CallbackStatus.open,
        )
        .order_by(CallbackTask.id.desc())
        .limit(1)
    )


def open_tasks(session: Session, *, limit: int = 100) -> list[CallbackTask]:
    """Open tasks: emergencies first, then most overdue first."""
    return list(
        session.scalars(
            select(CallbackTask)
            .where(CallbackTask.status == CallbackStatus.open)
            .order_by(_EMERGENCY_FIRST, CallbackTask.due_by, CallbackTask.id)
            .limit(limit)
        )
    )


def fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever the list of open tasks would (for the console's live section)."""
    return tuple(
        session.execute(
            select(
                func.count(CallbackTask.id),
                func.max(CallbackTask.id),
                func.sum(CallbackTask.calls),
                func.sum(1 - _EMERGENCY_FIRST),  # a task that became an emergency moves up
                func.sum(CallbackTask.asked),  # "a rappelé 2 fois"
            ).where(CallbackTask.status == CallbackStatus.open)
        ).one()
    )


def _task(session: Session, task_id: int) -> CallbackTask:
    task = session.get(CallbackTask, task_id, with_for_update=True)
    if task is None:
        raise NotFound(f"call-back task {task_id} not found")
    return task


def call_back(
    session: Session, task_id: int, dispatcher_id: int, now: datetime, *, language: str = "fr"
) -> CallbackTask:
    """Ring the person: a "voice_call" outbox row of kind "callback"; picked up, the call is
    put through to the dispatcher's phone (dialogues/flows/phone_calls.py)."""
    task = _task(session, task_id)
    if task.status != CallbackStatus.open:
        raise Conflict("this call-back is already closed")
    if not task.phone:
        raise Conflict("no phone number to call: answer in the conversation")
    task.calls += 1
    task.called_at = now
    enqueue(
        session,
        channel="voice_call",
        address=task.phone,
        kind="callback",
        payload={"language": language, "callback_id": task.id, "dispatcher_id": dispatcher_id},
        person_id=task.person_id,
        dedupe_key=_ring_key(task),
    )
    return task


def _ring_key(task: CallbackTask) -> str:
    return f"callback:{task.id}:{task.calls}"


def rang_by(session: Session, task: CallbackTask) -> int | None:
    """The dispatcher who pressed "Rappeler" for the task's last call, if known."""
    rung = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == _ring_key(task)))
    by = (rung.payload or {}).get("dispatcher_id") if rung is not None else None
    return by if isinstance(by, int) else None


def close(
    session: Session,
    task_id: int,
    dispatcher_id: int,
    now: datetime,
    note: str = "",
    *,
    status: CallbackStatus = CallbackStatus.done,
    how: DoneHow = DoneHow.by_hand,
) -> CallbackTask:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"a note is at most {MAX_NOTE} characters")
    task = _task(session, task_id)
    if task.status != CallbackStatus.open:
        raise Conflict("this call-back is already closed")
    _done(task, now, dispatcher_id, how, status=status)
    task.note = note
    return task


def _done(
    task: CallbackTask,
    now: datetime,
    by: int | None,
    how: DoneHow,
    *,
    status: CallbackStatus = CallbackStatus.done,
) -> None:
    task.status, task.done_at, task.done_by_id, task.done_how = status, now, by, how


def answered_in_chat(
    session: Session, conversation_id: int, dispatcher_id: int, now: datetime
) -> list[CallbackTask]:
    """A dispatcher wrote to the person in the chat that was owed an answer: done, by them."""
    tasks = session.scalars(
        select(CallbackTask)
        .where(
            CallbackTask.conversation_id == conversation_id,
            CallbackTask.status == CallbackStatus.open,
        )
        .with_for_update()
    ).all()
    for task in tasks:
        _done(task, now, dispatcher_id, DoneHow.chat_reply)
    return list(tasks)


def answered_by_phone(
    session: Session, task_id: int, dispatcher_id: int | None, now: datetime
) -> CallbackTask | None:
    """The person picked up a "Rappeler" call and the team phone answered: done, by whoever
    pressed Rappeler. A task closed meanwhile (Fait pressed) is left as it is."""
    task = session.get(CallbackTask, task_id, with_for_update=True)
    if task is None or task.status != CallbackStatus.open:
        return None
    _done(task, now, dispatcher_id, DoneHow.call_answered)
    return task


def recently_done(session: Session, *, since: datetime, limit: int = 20) -> list[CallbackTask]:
    """Tasks closed as done since `since`, the last closed first (the console's done list)."""
    return list(
        session.scalars(
            select(CallbackTask)
            .where(CallbackTask.status == CallbackStatus.done, CallbackTask.done_at >= since)
            .order_by(CallbackTask.done_at.desc(), CallbackTask.id.desc())
            .limit(limit)
        )
    )
