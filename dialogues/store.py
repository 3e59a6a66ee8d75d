"""Conversation state in the database: one row per channel address, locked for a whole turn.

The lock is what keeps two messages of one conversation (two instances, a retry racing the
original) from corrupting its state: the second waits until the first has committed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow
from dialogues.messages import Incoming, Outgoing

MAX_STORED_TEXT = 4000


def lock_conversation(session: Session, channel: str, address: str, language: str) -> Conversation:
    """The conversation row, created on first contact, locked until the transaction ends."""
    stmt = (
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.address == address)
        .with_for_update()
    )
    conversation = session.scalar(stmt)
    if conversation is not None:
        return conversation
    try:
        with session.begin_nested():
            session.add(Conversation(channel=channel, address=address, language=language, state={}))
    except IntegrityError:
        pass  # another turn created it first; take theirs
    return session.scalars(stmt).one()


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


def log_incoming(
    session: Session, conversation: Conversation, incoming: Incoming
) -> ConversationMessage:
    payload: dict[str, Any] = {}
    if incoming.speech_confidence is not None:
        payload["speech_confidence"] = incoming.speech_confidence
    row = ConversationMessage(
        conversation_id=conversation.id,
        direction="in",
        author="person",
        text=describe(incoming),
        payload=payload,
        external_id=incoming.external_id,
    )
    session.add(row)
    conversation.last_message_at = utcnow()
    session.flush()
    return row


def log_replies(
    session: Session,
    conversation: Conversation,
    incoming_row: ConversationMessage | None,
    replies: list[Outgoing],
    *,
    author: str = "bot",
) -> None:
    if incoming_row is not None:
        incoming_row.payload = {**incoming_row.payload, "replies": [r.to_dict() for r in replies]}
    for reply in replies:
        session.add(
            ConversationMessage(
                conversation_id=conversation.id,
                direction="out",
                author=author,
                text=reply.text[:MAX_STORED_TEXT],
                payload=reply.to_dict(),
            )
        )
    conversation.last_message_at = utcnow()
