"""Who has taken a conversation over, and since when: the banner of the detail page and the
list's step column name the dispatcher instead of 'a dispatcher'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from babel.dates import format_datetime
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.conversations.service import TAKEN_OVER_NOTE
from backend.db import utcnow
from backend.people.models import Person
from console.formatting import PARIS
from console.wording import Words, short_name


@dataclass(frozen=True)
class TakeOver:
    dispatcher_id: int
    name: str  # 'Claire D.'
    since: datetime | None  # the take-over note's time; None if the transcript lost it


def takeovers(session: Session, conversations: list[Conversation]) -> dict[int, TakeOver]:
    """By conversation id, for those a dispatcher holds: two queries for the whole list."""
    held = {c.id: c.dispatcher_id for c in conversations if c.handled_by == "dispatcher"}
    dispatcher_ids = {d for d in held.values() if d is not None}
    if not dispatcher_ids:
        return {}
    names: dict[int, str] = {
        pid: name
        for pid, name in session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(dispatcher_ids))
        )
    }
    since: dict[int, datetime] = {
        conv_id: at
        for conv_id, at in session.execute(
            select(ConversationMessage.conversation_id, func.max(ConversationMessage.created_at))
            .where(
                ConversationMessage.conversation_id.in_(held),
                ConversationMessage.author == "system",
                ConversationMessage.text == TAKEN_OVER_NOTE,
            )
            .group_by(ConversationMessage.conversation_id)
        )
    }
    return {
        conv_id: TakeOver(d, short_name(names.get(d)) or f"n° {d}", since.get(conv_id))
        for conv_id, d in held.items()
        if d is not None
    }


def banner(taken: TakeOver, t: Words, now: datetime | None = None) -> str:
    """'Pris en main par Claire D. depuis 14 h 05' (another day: its date before the time)."""
    if taken.since is None:
        return t("takeover.by", who=taken.name)
    return t("takeover.by_since", who=taken.name, since=clock(taken.since, t.language, now))


def clock(value: datetime, language: str, now: datetime | None = None) -> str:
    """'14 h 05' in French, '14:05' in English (as every English page's times read,
    console/formatting.local_time); with the day when it is not today."""
    local = _aware(value).astimezone(PARIS)
    today = _aware(now or utcnow()).astimezone(PARIS).date()
    if language == "fr":
        time = f"{local.hour} h {local.minute:02d}"
        day = format_datetime(local, "EEE d MMM", locale="fr_FR")
    else:
        time = format_datetime(local, "HH:mm", locale="en_GB")
        day = format_datetime(local, "EEE d MMM", locale="en_GB")
    return time if local.date() == today else f"{day} {time}"


def _aware(value: datetime) -> datetime:
    # A naive time (one built by hand, not read through backend.db.UTCDateTime) is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
