"""Live conversations for dispatchers: most urgent first, the transcript, take over, write,
hand back."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from backend.api_deps import DispatcherUser, PageDep, SessionDep
from backend.conversations.models import Conversation, ConversationMessage
from backend.conversations.schemas import (
    ConversationDetail,
    ConversationOut,
    DispatcherMessageIn,
    MessageOut,
)
from backend.conversations.service import dispatcher_says, hand_back, take_over, urgency
from backend.errors import NotFound
from backend.pagination import PageOf
from backend.people.models import Person

router = APIRouter(prefix="/conversations", tags=["conversations"])
TRANSCRIPT_LENGTH = 200


def _out(session: SessionDep, conversation: Conversation) -> ConversationOut:
    out = ConversationOut.model_validate(conversation)
    person = session.get(Person, conversation.person_id) if conversation.person_id else None
    out.person_name = person.display_name if person else None
    out.last_message = session.scalar(
        select(ConversationMessage.text)
        .where(ConversationMessage.conversation_id == conversation.id)
        .order_by(ConversationMessage.id.desc())
        .limit(1)
    )
    out.urgency = urgency(conversation)
    return out


@router.get("", response_model=PageOf[ConversationOut])
def list_conversations(
    session: SessionDep, _dispatcher: DispatcherUser, page: PageDep
) -> PageOf[ConversationOut]:
    """Most urgent first (emergency, asked for a human, misunderstood...), then most recent."""
    rows = list(session.scalars(select(Conversation).order_by(Conversation.last_message_at.desc())))
    rows.sort(key=urgency)  # stable: recency is kept within one urgency
    chosen = rows[page.offset : page.offset + page.limit]
    return PageOf[ConversationOut](
        items=[_out(session, c) for c in chosen],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{conversation_id}", response_model=ConversationDetail)
def read(
    session: SessionDep, conversation_id: int, _dispatcher: DispatcherUser
) -> ConversationDetail:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    messages = list(
        session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id)
            .order_by(ConversationMessage.id.desc())
            .limit(TRANSCRIPT_LENGTH)
        )
    )
    return ConversationDetail(
        **_out(session, conversation).model_dump(),
        messages=[MessageOut.model_validate(m) for m in reversed(messages)],
    )


@router.post("/{conversation_id}/take-over", response_model=ConversationOut)
def take(session: SessionDep, conversation_id: int, dispatcher: DispatcherUser) -> ConversationOut:
    return _out(session, take_over(session, conversation_id, dispatcher.id))


@router.post("/{conversation_id}/messages", response_model=MessageOut, status_code=201)
def write(
    session: SessionDep, conversation_id: int, data: DispatcherMessageIn, dispatcher: DispatcherUser
) -> MessageOut:
    return MessageOut.model_validate(
        dispatcher_says(session, conversation_id, dispatcher.id, data.text)
    )


@router.post("/{conversation_id}/hand-back", response_model=ConversationOut)
def give_back(
    session: SessionDep, conversation_id: int, dispatcher: DispatcherUser
) -> ConversationOut:
    return _out(session, hand_back(session, conversation_id, dispatcher.id))
