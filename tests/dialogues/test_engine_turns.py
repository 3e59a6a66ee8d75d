"""The engine's turn itself: a retry is found by its transcript row, whatever came after it.

A turn writes its transcript last; a retried message (same external id) collides with the
original's row, and the whole retried turn is rolled back: nothing it did is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.requests.models import HelpRequest
from tests.dialogues.conftest import Chat
from tests.factories import make_helper, make_resident


def _jeanne(session: Session) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001, lat=45.7745, lon=4.8320)
    make_helper(session, "Paul Girard", services=["errands"], lat=45.7750, lon=4.8330)
    session.commit()


def _transcript(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(ConversationMessage.direction, ConversationMessage.text).order_by(
            ConversationMessage.id
        )
    )
    return [(direction, text) for direction, text in rows]


def test_a_late_retry_gets_the_first_answer_and_changes_nothing(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    jeanne = chat()
    first = jeanne.send(text="j'ai besoin d'aide pour mes courses demain matin", external_id="u1")
    jeanne.send(text="oui", external_id="u2")  # the conversation has moved on since u1
    state_before = session.scalars(select(Conversation)).one().state
    transcript_before = _transcript(session)
    session.rollback()  # end the read: on SQLite it holds the write lock (BEGIN IMMEDIATE)

    again = jeanne.send(text="j'ai besoin d'aide pour mes courses demain matin", external_id="u1")

    assert again == first and jeanne.history[-1].duplicate
    assert _transcript(session) == transcript_before
    assert session.scalars(select(Conversation)).one().state == state_before


def test_a_retried_confirmation_books_one_request(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    jeanne = chat()
    jeanne.say("j'ai besoin d'aide pour mes courses demain matin")
    jeanne.say("oui")
    jeanne.say("du pain et du lait")
    jeanne.press("pay:volunteer")
    booked = jeanne.send(text="oui", external_id="confirm")
    again = jeanne.send(text="oui", external_id="confirm")

    assert again == booked and jeanne.history[-1].duplicate
    assert session.scalar(select(func.count()).select_from(HelpRequest)) == 1


def test_each_turn_stores_the_message_then_its_replies_in_order(
    chat: Callable[..., Chat], session: Session
) -> None:
    _jeanne(session)
    jeanne = chat()
    replies = jeanne.say("bonjour")
    transcript = _transcript(session)
    assert transcript[0] == ("in", "bonjour")
    assert transcript[1:] == [("out", text) for text in replies]
    incoming = session.scalars(
        select(ConversationMessage).where(ConversationMessage.direction == "in")
    ).one()
    assert [r["text"] for r in incoming.payload["replies"]] == replies
