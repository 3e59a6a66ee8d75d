"""A call-back owed to someone the hotline could not put through to a person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class CallbackReason(StrEnum):
    emergency = "emergency"  # danger said and nobody of the team on the line: listed first
    asked_for_human = "asked_for_human"  # 0, "opérateur": no dispatcher line to put them through
    misunderstood = "misunderstood"  # repeated silences or misheard answers, same
    transfer_unanswered = "transfer_unanswered"  # the <Dial> to the dispatcher: no-answer, busy
    helper_unreachable = "helper_unreachable"  # the masked call to the assigned helper failed
    requester_unreachable = "requester_unreachable"  # the masked call to the requester failed


class DoneHow(StrEnum):
    """How a task was closed, for the console's list of call-backs done."""

    by_hand = "by_hand"  # "Fait" pressed in the console, with or without a note
    chat_reply = "chat_reply"  # a dispatcher wrote to the person in the chat owed an answer
    call_answered = "call_answered"  # a "Rappeler" call picked up and put through to the team


class CallbackStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class CallbackTask(Base):
    __tablename__ = "callback_tasks"
    __table_args__ = (Index("ix_callback_tasks_status_due_by", "status", "due_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One task per call (e.g. "voice:<CallSid>"): a retried webhook finds it instead.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    # E.164: the number to call back; "" for a chat (Telegram) with no number known, answered
    # in its conversation instead.
    phone: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    last_words: Mapped[str] = mapped_column(Text, default="")  # what the caller said last
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_by: Mapped[datetime] = mapped_column()  # what the caller was promised
    status: Mapped[str] = mapped_column(String(16), default=CallbackStatus.open)
    called_at: Mapped[datetime | None] = mapped_column()  # the last "Rappeler"
    calls: Mapped[int] = mapped_column(default=0)
    # Times the person asked: a second call (or chat message) adds to their open task.
    asked: Mapped[int] = mapped_column(default=1, server_default="1")
    done_at: Mapped[datetime | None] = mapped_column()
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    done_how: Mapped[str] = mapped_column(String(16), default="", server_default="")
