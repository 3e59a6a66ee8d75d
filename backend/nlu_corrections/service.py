"""Recording a dispatcher's correction of the intent model, and reading them for training.

The text kept is what the model will learn from, so it goes through `mask_details` first:
a phone number, an address or a door code in a message never becomes training data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect, delete, select
from sqlalchemy.orm import Session

from backend.conversations.models import ConversationMessage
from backend.db import utcnow
from backend.errors import InvalidInput, NotFound
from backend.nlu_corrections.models import INTENTS, NluCorrection
from backend.people.models import SERVICES
from backend.requests.redaction import mask_details

# What dialogues/store.py writes for an incoming message that was not typed or said: a button,
# keys, a location... These are no sentences to learn from.
NOT_WORDS = ("[choix]", "[touches]", "[position]", "[contact partagé]", "[silence]", "[vide]")
WITH_SERVICE = ("request_help", "offer_help")  # the taxonomy extracts a service for these only
MAX_TRAINED_TEXT = 1000  # the model reads no further (dialogues/understanding.py)


@dataclass(frozen=True)
class ModelReading:
    """What the intent model made of a message, as the engine stored it (payload["nlu"])."""

    intent: str | None
    service: str | None
    confidence: float | None
    language: str | None


def model_reading(message: ConversationMessage) -> ModelReading | None:
    stored = (message.payload or {}).get("nlu")
    if not isinstance(stored, dict):
        return None
    confidence = stored.get("confidence")
    return ModelReading(
        intent=_str(stored.get("intent")),
        service=_str(stored.get("service")),
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        language=_str(stored.get("language")),
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def is_free_text(message: ConversationMessage) -> bool:
    """A person's own words (typed, or said on the phone), not a button, keys or a location."""
    if message.direction != "in" or message.author != "person":
        return False
    text = message.text.strip()
    return bool(text) and not text.startswith(NOT_WORDS)


def correct(
    session: Session,
    conversation_id: int,
    message_id: int,
    *,
    intent: str,
    service: str | None,
    dispatcher_id: int,
    language: str,
    now: datetime | None = None,
) -> NluCorrection:
    """Record (or replace) the correction of one message. `language` is the conversation's,
    used when the model's reading did not say which language the message was in."""
    message = session.get(ConversationMessage, message_id)
    if message is None or message.conversation_id != conversation_id:
        raise NotFound(f"message {message_id} not found in conversation {conversation_id}")
    if not is_free_text(message):
        raise InvalidInput(
            "only a person's own words can be corrected, not a reply, a button or keys",
            reason="nlu_not_words",
        )
    if intent not in INTENTS:
        raise InvalidInput(f"unknown intent {intent!r}", reason="nlu_unknown_intent")
    service = service or None
    if service is not None and service not in SERVICES:
        raise InvalidInput(f"unknown service {service!r}", reason="nlu_unknown_service")
    if service is not None and intent not in WITH_SERVICE:
        raise InvalidInput(
            f"a service goes with {' or '.join(WITH_SERVICE)} only", reason="nlu_service_intent"
        )
    reading = model_reading(message)
    lang = (reading.language if reading else None) or language
    row = session.scalar(select(NluCorrection).where(NluCorrection.message_id == message.id))
    if row is None:
        row = NluCorrection(message_id=message.id)
        session.add(row)
    row.text = mask_details(message.text[:MAX_TRAINED_TEXT], lang)
    row.language = lang
    row.model_intent = reading.intent if reading else None
    row.model_service = reading.service if reading else None
    row.model_confidence = reading.confidence if reading else None
    row.intent, row.service = intent, service
    row.dispatcher_id = dispatcher_id
    row.created_at = now or utcnow()
    session.flush()
    return row


def corrections_of(session: Session, message_ids: Iterable[int]) -> dict[int, NluCorrection]:
    ids = list(message_ids)
    if not ids:
        return {}
    rows = session.scalars(select(NluCorrection).where(NluCorrection.message_id.in_(ids)))
    return {row.message_id: row for row in rows}


def all_corrections(session: Session) -> list[NluCorrection]:
    """Every correction, oldest first: the training examples they become are stable."""
    return list(session.scalars(select(NluCorrection).order_by(NluCorrection.id)))


def forget_messages(session: Session, message_ids: Iterable[int] | ScalarSelect[int]) -> int:
    """Delete the corrections of these messages (ids, or a subquery of them) before the
    messages go: said on every database instead of trusting ON DELETE CASCADE."""
    result = session.execute(
        delete(NluCorrection)
        .where(NluCorrection.message_id.in_(message_ids))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
