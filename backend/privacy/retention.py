"""Personal data kept no longer than needed: the daily purge of old transcripts and call data.

What goes, once older than its retention period (CNIL practice: a period per purpose):

- conversation messages (what people wrote or said and what we answered): after
  `transcript_days` on Telegram, SMS and the terminal, after `call_days` for phone calls
  (speech transcripts). An inbound message still inside the webhook retry window
  (`DEDUPE_WINDOW`) is blanked instead of deleted: its external id stays, so a late retry of
  that update is still recognised and changes nothing twice. A dispatcher's correction of
  the intent model made on a message (backend/nlu_corrections) goes with it, blanked or not.
- the flow state of a conversation idle for the whole period (it would restart at the menu
  anyway), and the whole row of an idle conversation that never became a known person (an
  unknown caller's number).
- the payload, address and error of outbox messages already delivered or given up: the row
  and its dedupe key stay, so a message is still never sent twice.

Live things stay whatever their age: a conversation with a dispatcher, waiting for one or
flagged (its transcript and state), and outbox messages still pending or being sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    String,
    and_,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.jobs.models import Job
from backend.jobs.service import JobHandler, schedule
from backend.nlu_corrections.models import NluCorrection
from backend.outbox.models import OutboxMessage, OutboxStatus

PURGE_JOB = "privacy.purge"
PURGE_EVERY = timedelta(days=1)
# Telegram retries an unanswered webhook for hours, Twilio for seconds: a week is ample.
DEDUPE_WINDOW = timedelta(days=7)
CALL_CHANNELS = ("voice",)  # conversations whose messages are speech transcripts
CALL_OUTBOX_CHANNELS = ("voice_call",)


@dataclass(frozen=True)
class RetentionPolicy:
    transcript_days: int = 180
    call_days: int = 90

    def __post_init__(self) -> None:
        if self.transcript_days < 1 or self.call_days < 1:
            raise ValueError("retention periods are at least one day")


@dataclass
class PurgeReport:
    """What the purge removed (or, in a dry run, would remove), by kind."""

    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        verb = "would purge" if self.dry_run else "purged"
        return [f"{verb} {n} {what}" for what, n in self.counts.items()]


def _live() -> ColumnElement[bool]:
    """A conversation someone still has to look at (the console's live list, minus recency)."""
    return or_(Conversation.handled_by != "bot", cast(Conversation.flags, String) != "[]")


def purge(
    session: Session, policy: RetentionPolicy, now: datetime, *, dry_run: bool = False
) -> PurgeReport:
    """Delete or blank what is older than its retention period; returns the counts."""
    report = PurgeReport(dry_run=dry_run)
    dedupe_since = now - DEDUPE_WINDOW

    def run(what: str, model: type, where: ColumnElement[bool], *acts: Executable) -> None:
        n = session.scalar(select(func.count()).select_from(model).where(where)) or 0
        if n and not dry_run:
            for act in acts:
                session.execute(act.execution_options(synchronize_session=False))
        report.counts[what] = n

    for kind, channel_is, days in (
        ("call", Conversation.channel.in_(CALL_CHANNELS), policy.call_days),
        ("conversation", Conversation.channel.not_in(CALL_CHANNELS), policy.transcript_days),
    ):
        before = now - timedelta(days=days)
        old = and_(
            # A conversation someone is looking at keeps its whole transcript for now.
            ConversationMessage.conversation_id.in_(
                select(Conversation.id).where(channel_is, ~_live()).scalar_subquery()
            ),
            ConversationMessage.created_at < before,
        )
        retry_guard = and_(
            ConversationMessage.external_id.is_not(None),
            ConversationMessage.created_at >= dedupe_since,
        )
        gone = and_(old, ~retry_guard)
        # A dispatcher's correction of a message (a training example) goes with its words.
        corrected = NluCorrection.message_id.in_(
            select(ConversationMessage.id).where(old).scalar_subquery()
        )
        run(
            f"{kind} intent corrections",
            NluCorrection,
            corrected,
            delete(NluCorrection).where(corrected),
        )
        run(f"{kind} messages", ConversationMessage, gone, delete(ConversationMessage).where(gone))
        # Inside the retry window: blanked, the external id kept for idempotency.
        blank = and_(old, retry_guard, ConversationMessage.text != "")
        run(
            f"{kind} messages blanked (kept for webhook retries)",
            ConversationMessage,
            blank,
            update(ConversationMessage).where(blank).values(text="", payload={}),
        )
        idle = and_(channel_is, Conversation.last_message_at < min(before, dedupe_since), ~_live())
        unknown = and_(idle, Conversation.person_id.is_(None))
        unknown_ids = select(Conversation.id).where(unknown).scalar_subquery()
        run(
            f"idle unidentified {kind}s",
            Conversation,
            unknown,
            # Messages first: SQLite honours ON DELETE CASCADE, but say it on every database.
            delete(ConversationMessage).where(ConversationMessage.conversation_id.in_(unknown_ids)),
            delete(Conversation).where(unknown),
        )
        stale = and_(
            idle,
            Conversation.person_id.is_not(None),
            or_(Conversation.flow.is_not(None), cast(Conversation.state, String) != "{}"),
        )
        run(
            f"idle {kind} states reset",
            Conversation,
            stale,
            update(Conversation).where(stale).values(state={}, flow=None, step=None),
        )

    finished = OutboxMessage.status.in_((OutboxStatus.sent, OutboxStatus.failed))
    is_call = OutboxMessage.channel.in_(CALL_OUTBOX_CHANNELS)
    old_outbox = and_(
        finished,
        OutboxMessage.address != "",
        or_(
            and_(is_call, OutboxMessage.created_at < now - timedelta(days=policy.call_days)),
            and_(~is_call, OutboxMessage.created_at < now - timedelta(days=policy.transcript_days)),
        ),
    )
    run(
        "delivered outbox messages blanked",
        OutboxMessage,
        old_outbox,
        update(OutboxMessage).where(old_outbox).values(payload={}, address="", last_error=""),
    )
    if not dry_run:
        session.expire_all()
    return report


def schedule_purge(session: Session, run_at: datetime) -> Job:
    """At most one purge a day, whatever the number of instances asking for it."""
    return schedule(
        session, PURGE_JOB, {}, run_at=run_at, dedupe_key=f"{PURGE_JOB}:{run_at:%Y-%m-%d}"
    )


def purge_job(policy: RetentionPolicy) -> JobHandler:
    """The jobs worker's handler for PURGE_JOB: purge, then book tomorrow's purge."""

    def handler(session: Session, _payload: dict[str, Any], now: datetime) -> None:
        purge(session, policy, now)
        schedule_purge(session, now + PURGE_EVERY)

    return handler
