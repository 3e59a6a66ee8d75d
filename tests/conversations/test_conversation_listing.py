from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.conversations.service import by_urgency
from backend.db import utcnow
from tests.factories import make_resident


def _conversation(
    session: Session,
    address: str,
    *,
    hours_ago: float,
    flags: list[str] | None = None,
    handled_by: str = "bot",
    last: str = "bonjour",
) -> Conversation:
    conversation = Conversation(
        channel="telegram",
        address=address,
        flags=flags or [],
        handled_by=handled_by,
        last_message_at=utcnow() - timedelta(hours=hours_ago),
    )
    session.add(conversation)
    session.flush()
    session.add(
        ConversationMessage(
            conversation_id=conversation.id, direction="in", author="person", text=last
        )
    )
    return conversation


def test_most_urgent_first_then_most_recent_with_names_and_last_words(session: Session) -> None:
    jeanne = make_resident(session, "Jeanne Martin")
    calm = _conversation(session, "1", hours_ago=0.1, last="merci")
    fall = _conversation(session, "2", hours_ago=2, flags=["emergency"], last="je suis tombée")
    human = _conversation(session, "3", hours_ago=1, flags=["asked_for_human"])
    calm.person_id = jeanne.id
    session.commit()

    items, total = by_urgency(session, limit=10)
    assert [i.conversation.id for i in items] == [fall.id, human.id, calm.id]
    assert total == 3
    assert (items[0].last_message, items[0].last_author) == ("je suis tombée", "person")
    assert (items[2].person_name, items[2].last_message) == ("Jeanne Martin", "merci")


def test_the_live_window_keeps_old_conversations_only_while_they_need_someone(
    session: Session,
) -> None:
    recent = _conversation(session, "1", hours_ago=1)
    _conversation(session, "2", hours_ago=72)  # quiet for three days: not live any more
    flagged = _conversation(session, "3", hours_ago=72, flags=["dropped_call"])
    taken = _conversation(session, "4", hours_ago=72, handled_by="dispatcher")
    session.commit()

    items, total = by_urgency(session, limit=10, since=utcnow() - timedelta(hours=24))
    assert {i.conversation.id for i in items} == {recent.id, flagged.id, taken.id}
    assert total == 3
