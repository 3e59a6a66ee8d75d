"""One correction per incoming message: what the model said, what the dispatcher says."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow

# The intents of ../shared/NLU_TAXONOMY.md. backend imports nothing of nlu, so they are
# listed here; tests/nlu_corrections checks that the training data has exactly these.
INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "request_help",
    "offer_help",
    "check_status",
    "cancel_request",
    "change_request",
    "talk_to_human",
    "emergency",
    "report_problem",
    "give_feedback",
    "post_alert",
    "browse_listings",
    "payment_question",
    "repeat",
    "out_of_scope",
)


class NluCorrection(Base):
    __tablename__ = "nlu_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A second correction of the same message replaces the first. The message's deletion
    # (erasure, retention purge) takes its correction with it.
    message_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)  # as trained on: phone, address, codes masked
    language: Mapped[str] = mapped_column(String(8))
    model_intent: Mapped[str | None] = mapped_column(String(40))
    model_service: Mapped[str | None] = mapped_column(String(40))
    model_confidence: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str] = mapped_column(String(40))
    service: Mapped[str | None] = mapped_column(String(40))
    dispatcher_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
