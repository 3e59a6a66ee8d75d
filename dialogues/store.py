"""Conversation state in the database: one row per channel address, locked for a whole turn.

The lock is what keeps two messages of one conversation (two instances, a retry racing the
original) from corrupting its state: the second waits until the first has committed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow
from backend.people.models import Person
from dialogues.messages import Incoming, Outgoing
from dialogues.understanding import Understanding

MAX_STORED_TEXT = 4000


class AlreadyHandled(Exception):  # noqa: N818  (a signal: this message is a retry)
    """The message's transcript row collides with the original's: the turn was a retry."""


def lock_conversation(
    session: Session, channel: str, address: str, language: str
) -> tuple[Conversation, Person | None]:
    """The conversation row, created on first contact, locked until the transaction ends,
    and its person, read in the same statement (a turn always needs them)."""
    stmt = (
        select(Conversation, Person)
        .outerjoin(Person, Person.id == Conversation.person_id)
        .where(Conversation.channel == channel, Conversation.address == address)
        .with_for_update(of=Conversation)
    )
    found = session.execute(stmt).first()
    if found is not None:
        return found[0], found[1]
    # First contact: created unless another turn just did (then theirs is taken, locked).
    dialect = session.get_bind().dialect.name
    create = (pg_insert if dialect == "postgresql" else sqlite_insert)(Conversation)
    session.execute(
        create.values(
            channel=channel, address=address, language=language, state={}, flags=[]
        ).on_conflict_do_nothing(index_elements=["channel", "address"])
    )
    conversation, person = session.execute(stmt).one()
    return conversation, person


def earlier_replies(
    session: Session, conversation: Conversation, external_id: str | None
) -> list[Outgoing] | None:
    """The replies already given to this exact message, if it is a retry."""
    if external_id is None:
        return None
    row = session.scalar(
        select(ConversationMessage).where(
            ConversationMessage.conversation_id == conversation.id,
            ConversationMessage.external_id == external_id,
        )
    )
    if row is None:
        return None
    return [Outgoing.from_dict(r) for r in row.payload.get("replies", [])]


def describe(incoming: Incoming) -> str:
    """A readable line for the transcript, whatever the input was."""
    if incoming.text:
        return incoming.text[:MAX_STORED_TEXT]
    if incoming.choice:
        return f"[choix] {incoming.choice}"
    if incoming.digits:
        return f"[touches] {incoming.digits}"
    if incoming.location:
        return f"[position] {incoming.location.lat:.5f}, {incoming.location.lon:.5f}"
    if incoming.contact:
        return "[contact partagé]"
    if incoming.silence:
        return "[silence]"
    return "[vide]"


def log_turn(
    session: Session,
    conversation: Conversation,
    incoming: Incoming,
    replies: list[Outgoing],
    understood: Understanding | None = None,
) -> None:
    """The message and its replies in the transcript, written last and together (one INSERT),
    so that the unique external id is also the retry check. Raises AlreadyHandled.
    `understood`: the model's reading of the text, kept so that a dispatcher can see and
    correct it (backend/nlu_corrections)."""
    payload: dict[str, Any] = {"replies": [r.to_dict() for r in replies]}
    if incoming.speech_confidence is not None:
        payload["speech_confidence"] = incoming.speech_confidence
    if understood is not None:
        payload["nlu"] = {
            "intent": understood.intent,
            "confidence": round(understood.confidence, 4),
            "service": understood.service,
            "language": understood.language,
        }
    conversation.last_message_at = utcnow()
    session.flush()  # the flow's own writes first: a collision below can only be the retry's
    common = {"conversation_id": conversation.id, "created_at": utcnow()}
    rows: list[dict[str, Any]] = [
        {
            **common,
            "direction": "in",
            "author": "person",
            "text": describe(incoming),
            "payload": payload,
            "external_id": incoming.external_id,
        }
    ]
    rows += [
        {
            **common,
            "direction": "out",
            "author": "bot",
            "text": reply.text[:MAX_STORED_TEXT],
            "payload": reply.to_dict(),
            "external_id": None,
        }
        for reply in replies
    ]
    try:
        # One statement for all rows (executemany / insertmanyvalues); ids keep their order.
        session.execute(insert(ConversationMessage).execution_options(render_nulls=True), rows)
    except IntegrityError as exc:
        if incoming.external_id is None:
            raise
        raise AlreadyHandled(incoming.external_id) from exc
