"""A conversation with messages as the engine writes them (the model's reading in the
payload), for the correction tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow


def conversation(
    session: Session, *, person_id: int | None, channel: str = "telegram", address: str = "1001"
) -> Conversation:
    row = Conversation(channel=channel, address=address, person_id=person_id, state={}, flags=[])
    session.add(row)
    session.flush()
    return row


def message(
    session: Session,
    conv: Conversation,
    text: str,
    *,
    direction: str = "in",
    author: str = "person",
    reading: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ConversationMessage:
    payload: dict[str, Any] = {"replies": []}
    if reading is not None:
        payload["nlu"] = reading
    row = ConversationMessage(
        conversation_id=conv.id,
        direction=direction,
        author=author,
        text=text,
        payload=payload,
        created_at=at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row
