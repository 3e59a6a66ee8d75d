"""Live conversations for dispatchers: most urgent first, the transcript, take over, write,
hand back."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api_deps import DispatcherUser, PageDep, SessionDep
from backend.conversations.models import Conversation
from backend.conversations.schemas import (
    ConversationDetail,
    ConversationOut,
    DispatcherMessageIn,
    MessageOut,
)
from backend.conversations.service import (
    ConversationSummary,
    by_urgency,
    dispatcher_says,
    hand_back,
    summary,
    take_over,
    transcript,
)
from backend.errors import NotFound
from backend.pagination import PageOf
from backend.validation import DbId

router = APIRouter(prefix="/conversations", tags=["conversations"])
TRANSCRIPT_LENGTH = 200


def _out(item: ConversationSummary) -> ConversationOut:
    out = ConversationOut.model_validate(item.conversation)
    out.person_name, out.last_message = item.person_name, item.last_message
    out.urgency = item.urgency
    return out


@router.get("", response_model=PageOf[ConversationOut])
def list_conversations(
    session: SessionDep, _dispatcher: DispatcherUser, page: PageDep
) -> PageOf[ConversationOut]:
    """Most urgent first (emergency, asked for a human, misunderstood...), then most recent."""
    items, total = by_urgency(session, limit=page.limit, offset=page.offset)
    return PageOf[ConversationOut](
        items=[_out(i) for i in items], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/{conversation_id}", response_model=ConversationDetail)
def read(
    session: SessionDep, conversation_id: DbId, _dispatcher: DispatcherUser
) -> ConversationDetail:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    messages = transcript(session, conversation_id, limit=TRANSCRIPT_LENGTH)
    return ConversationDetail(
        **_out(summary(session, conversation)).model_dump(),
        messages=[MessageOut.model_validate(m) for m in messages],
    )


@router.post("/{conversation_id}/take-over", response_model=ConversationOut)
def take(session: SessionDep, conversation_id: DbId, dispatcher: DispatcherUser) -> ConversationOut:
    return _out(summary(session, take_over(session, conversation_id, dispatcher.id)))


@router.post("/{conversation_id}/messages", response_model=MessageOut, status_code=201)
def write(
    session: SessionDep,
    conversation_id: DbId,
    data: DispatcherMessageIn,
    dispatcher: DispatcherUser,
) -> MessageOut:
    return MessageOut.model_validate(
        dispatcher_says(session, conversation_id, dispatcher.id, data.text)
    )


@router.post("/{conversation_id}/hand-back", response_model=ConversationOut)
def give_back(
    session: SessionDep, conversation_id: DbId, dispatcher: DispatcherUser
) -> ConversationOut:
    return _out(summary(session, hand_back(session, conversation_id, dispatcher.id)))
