"""A dispatcher takes a conversation over, writes through the person's channel, hands back.

While a dispatcher has it, the engine stays silent (an emergency is still answered). What the
dispatcher writes goes out through the outbox on the conversation's own channel and address;
the words of the hand-back notice come from the dialogues' catalogue when it is delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import Session

from backend.callbacks.service import answered_in_chat
from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow
from backend.dispatch.messages import reach
from backend.errors import Conflict, InvalidInput, NotFound
from backend.outbox.models import OutboxMessage
from backend.outbox.service import enqueue
from backend.people.models import Person

MAX_DISPATCHER_TEXT = 4000
# Flags that a dispatcher answers by taking over; cleared when they hand back.
ATTENTION_FLAGS = ("asked_for_human", "misunderstood_twice", "identity_conflict")
# The transcript's notes of a take-over and a hand-back: the console finds when a dispatcher
# took a conversation by the first, and words both in the page's language.
TAKEN_OVER_NOTE = "[un·e opérateur·rice a pris la conversation]"
HANDED_BACK_NOTE = "[la conversation revient au robot]"


def _conversation(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


def take_over(session: Session, conversation_id: int, dispatcher_id: int) -> Conversation:
    conversation = _conversation(session, conversation_id)
    if conversation.handled_by == "dispatcher" and conversation.dispatcher_id not in (
        None,
        dispatcher_id,
    ):
        raise Conflict("another dispatcher already has this conversation")
    conversation.handled_by, conversation.dispatcher_id = "dispatcher", dispatcher_id
    conversation.flow = conversation.step = None
    _note(session, conversation, TAKEN_OVER_NOTE)
    return conversation


def dispatcher_says(
    session: Session, conversation_id: int, dispatcher_id: int, text: str
) -> ConversationMessage:
    text = text.strip()
    if not text:
        raise InvalidInput("an empty message cannot be sent")
    if len(text) > MAX_DISPATCHER_TEXT:
        raise InvalidInput(f"a message is at most {MAX_DISPATCHER_TEXT} characters")
    conversation = _conversation(session, conversation_id)
    if conversation.handled_by != "dispatcher" or conversation.dispatcher_id != dispatcher_id:
        raise Conflict("take the conversation over before writing in it")
    message = ConversationMessage(
        conversation_id=conversation.id,
        direction="out",
        author="dispatcher",
        text=text,
        payload={"dispatcher_id": dispatcher_id},
    )
    session.add(message)
    session.flush()
    _send(session, conversation, "dispatcher_message", {"text": text}, f"dispatcher:{message.id}")
    conversation.last_message_at = utcnow()
    if conversation.channel != "voice":
        # The answer a chat was promised ("elle vous répondra ici même"): its task is done.
        answered_in_chat(session, conversation.id, dispatcher_id, conversation.last_message_at)
    return message


def hand_back(session: Session, conversation_id: int, dispatcher_id: int) -> Conversation:
    conversation = _conversation(session, conversation_id)
    if conversation.handled_by == "bot":
        return conversation
    conversation.handled_by, conversation.dispatcher_id = "bot", None
    conversation.flags = [f for f in conversation.flags if f not in ATTENTION_FLAGS]
    conversation.state = {
        k: v for k, v in conversation.state.items() if k not in ("question", "slots")
    }
    conversation.state = {**conversation.state, "misses": 0}
    _note(session, conversation, HANDED_BACK_NOTE)
    _send(
        session,
        conversation,
        "handed_back",
        {},
        f"handback:{conversation.id}:{utcnow().isoformat()}",
    )
    return conversation


def clear_emergency(session: Session, conversation_id: int, dispatcher_id: int) -> Conversation:
    """A dispatcher found no danger: the flag goes, and the bot answers again unless a
    dispatcher holds the conversation or another flag still waits for one (a person asked
    for). The person is told the bot is back, as at a hand-back."""
    conversation = _conversation(session, conversation_id)
    if "emergency" not in conversation.flags:
        return conversation
    conversation.flags = [f for f in conversation.flags if f != "emergency"]
    dispatcher = session.get(Person, dispatcher_id)
    who = dispatcher.display_name if dispatcher is not None else f"#{dispatcher_id}"
    _note(
        session,
        conversation,
        f"[alerte urgence levée par {who}]",
        {"event": "emergency_cleared", "dispatcher_id": dispatcher_id},
    )
    still_waiting = any(f in ATTENTION_FLAGS for f in conversation.flags)
    if conversation.handled_by == "waiting" and not still_waiting:
        conversation.handled_by, conversation.dispatcher_id = "bot", None
        conversation.flow = conversation.step = None
        conversation.state = {
            k: v for k, v in conversation.state.items() if k not in ("question", "slots")
        }
        conversation.state = {**conversation.state, "misses": 0}
        _send(
            session,
            conversation,
            "emergency_cleared",
            {},
            f"emergency_cleared:{conversation.id}:{utcnow().isoformat()}",
        )
    return conversation


def _note(
    session: Session,
    conversation: Conversation,
    text: str,
    payload: dict[str, object] | None = None,
) -> None:
    session.add(
        ConversationMessage(
            conversation_id=conversation.id,
            direction="out",
            author="system",
            text=text,
            payload=payload or {},
        )
    )


def _send(
    session: Session,
    conversation: Conversation,
    kind: str,
    payload: dict[str, str],
    dedupe_key: str,
) -> None:
    channel, address = conversation.channel, conversation.address
    if channel == "voice":
        # The call may be over when the dispatcher writes: reach the caller the way dispatch
        # does (SMS to a mobile, a call to a landline, where an SMS would never arrive).
        person = session.get(Person, conversation.person_id) if conversation.person_id else None
        channel, address = (reach(person) if person else None) or ("sms", conversation.address)
    enqueue(
        session,
        channel=channel,
        address=address,
        kind=kind,
        payload={"language": conversation.language, **payload},
        person_id=conversation.person_id,
        dedupe_key=dedupe_key,
    )


# What a dispatcher must see first: lower is more urgent.
URGENCY = {
    "emergency": 0,
    "asked_for_human": 1,
    "misunderstood_twice": 2,
    "dropped_call": 3,
    "identity_conflict": 4,
    "problem_reported": 5,
    "address_to_verify": 6,
    "postcard_to_reissue": 7,
}


def urgency(conversation: Conversation) -> int:
    return rank_of(conversation.flags, conversation.handled_by)


def rank_of(flags: list[object], handled_by: str) -> int:
    ranks = [URGENCY.get(str(flag), 9) for flag in flags]
    if handled_by == "waiting":
        ranks.append(1)
    return min(ranks, default=10)


@dataclass(frozen=True)
class ConversationSummary:
    """One line of the dispatchers' live list."""

    conversation: Conversation
    person_name: str | None
    last_message: str | None
    last_author: str | None
    urgency: int


def _live(since: datetime) -> ColumnElement[bool]:
    """Active since `since`, or still needing someone: flagged, or not with the bot."""
    return or_(
        Conversation.last_message_at >= since,
        Conversation.handled_by != "bot",
        cast(Conversation.flags, String) != "[]",
    )


def by_urgency(
    session: Session, *, limit: int, offset: int = 0, since: datetime | None = None
) -> tuple[list[ConversationSummary], int]:
    """Most urgent first, then most recent; `since` keeps recent or still-flagged ones.

    Urgency comes from the JSON flags, which the two databases query differently, so it is
    ranked here on three light columns; only the chosen page is loaded whole, with its names
    and last messages in two more queries.
    """
    stmt = select(Conversation.id, Conversation.flags, Conversation.handled_by).order_by(
        Conversation.last_message_at.desc(), Conversation.id
    )
    if since is not None:
        stmt = stmt.where(_live(since))
    ranked = [
        (rank_of(flags, handled_by), conv_id)
        for conv_id, flags, handled_by in session.execute(stmt)
    ]
    ranked.sort(key=lambda pair: pair[0])  # stable: recency is kept within one urgency
    chosen_ids = [conv_id for _, conv_id in ranked[offset : offset + limit]]
    loaded = {
        c.id: c
        for c in session.scalars(select(Conversation).where(Conversation.id.in_(chosen_ids)))
    }
    return _summaries(session, [loaded[i] for i in chosen_ids]), len(ranked)


def live_fingerprint(session: Session, *, since: datetime) -> tuple[object, ...]:
    """Changes whenever the live list would: a new message anywhere, or a conversation whose
    flags, handler or step moved (a dropped call is flagged without a message)."""
    newest = session.scalar(select(func.max(ConversationMessage.id))) or 0
    rows = session.execute(
        select(
            Conversation.id,
            cast(Conversation.flags, String),
            Conversation.handled_by,
            Conversation.step,
            Conversation.person_id,
        ).where(_live(since))
    )
    return (newest, hash(tuple(tuple(r) for r in rows)))


def _summaries(session: Session, chosen: list[Conversation]) -> list[ConversationSummary]:
    ids = [c.id for c in chosen]
    person_ids = {c.person_id for c in chosen if c.person_id}
    names: dict[int, str] = {
        pid: name
        for pid, name in session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(person_ids))
        )
    }
    newest = (
        select(func.max(ConversationMessage.id))
        .where(ConversationMessage.conversation_id.in_(ids))
        .group_by(ConversationMessage.conversation_id)
    )
    last = {
        conv_id: (text, author)
        for conv_id, text, author in session.execute(
            select(
                ConversationMessage.conversation_id,
                ConversationMessage.text,
                ConversationMessage.author,
            ).where(ConversationMessage.id.in_(newest))
        )
    }
    return [
        ConversationSummary(
            conversation=c,
            person_name=names.get(c.person_id) if c.person_id else None,
            last_message=last.get(c.id, (None, None))[0],
            last_author=last.get(c.id, (None, None))[1],
            urgency=urgency(c),
        )
        for c in chosen
    ]


def summary(session: Session, conversation: Conversation) -> ConversationSummary:
    return _summaries(session, [conversation])[0]


@dataclass(frozen=True)
class Delivery:
    """How far a dispatcher's message has got on its way to the person."""

    status: str  # pending, sending, sent, failed (backend.outbox.models.OutboxStatus)
    channel: str
    attempts: int


def deliveries(session: Session, messages: list[ConversationMessage]) -> dict[int, Delivery]:
    """For each dispatcher's message of `messages`, its outbox row's progress, by message id."""
    keys = {f"dispatcher:{m.id}": m.id for m in messages if m.author == "dispatcher"}
    if not keys:
        return {}
    rows = session.execute(
        select(
            OutboxMessage.dedupe_key,
            OutboxMessage.status,
            OutboxMessage.channel,
            OutboxMessage.attempts,
        ).where(OutboxMessage.dedupe_key.in_(keys))
    )
    return {
        keys[str(key)]: Delivery(status, channel, attempts)
        for key, status, channel, attempts in rows
    }


def transcript(
    session: Session, conversation_id: int, *, limit: int = 200
) -> list[ConversationMessage]:
    """The last `limit` messages, oldest first."""
    newest_first = session.scalars(
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation_id)
        .order_by(ConversationMessage.id.desc())
        .limit(limit)
    )
    return list(reversed(list(newest_first)))
