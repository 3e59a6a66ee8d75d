"""The model's reading of a person's words is kept with the message, for the console to show
and for a dispatcher to correct (backend/nlu_corrections); a button press has none."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.conversations.models import ConversationMessage
from tests.dialogues.conftest import Chat
from tests.factories import make_resident


def test_free_text_keeps_intent_service_and_confidence_and_a_button_keeps_none(
    chat: Callable[..., Chat], session: Session
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001, lat=45.7745, lon=4.8320)
    session.commit()
    jeanne = chat()
    jeanne.say("j'ai besoin d'aide pour mes courses demain matin")
    jeanne.press("no")
    incoming = list(
        session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.direction == "in")
            .order_by(ConversationMessage.id)
        )
    )
    said, pressed = incoming
    reading = said.payload["nlu"]
    assert reading["intent"] == "request_help" and reading["service"] == "errands"
    assert 0.0 < reading["confidence"] <= 1.0
    assert "nlu" not in pressed.payload
