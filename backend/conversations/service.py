"""A dispatcher takes a conversation over, writes through the person's channel, hands back.

While a dispatcher has it, the engine stays silent (an emergency is still answered). What the
dispatcher writes goes out through the outbox on the conversation's own channel and address;
the words of the hand-back notice come from the dialogues' catalogue when it is delivered.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow
from backend.dispatch.messages import reach
from backend.errors import Conflict, InvalidInput, NotFound
from backend.outbox.service import enqueue
from backend.people.models import Person

MAX_DISPATCHER_TEXT = 4000
# Flags that a dispatcher answers by taking over; cleared when they hand back.
ATTENTION_FLAGS = ("asked_for_human", "misunderstood_twice", "identity_conflict")


def _conversation(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


def take_over(session: Session, conversation_id: int, dispatcher_id: int) -> Conversation:
    conversation = _conversation(session, conversation_id)
    if conversation.handled_by == "dispatcher" and conversation.dispatcher_id not in (
        None,
        dispatcher_id,
    ):
        raise Conflict("another dispatcher already has this conversation")
    conversation.handled_by, conversation.dispatcher_id = "dispatcher", dispatcher_id
    conversation.flow = conversation.step = None
    _note(session, conversation, "[un·e opérateur·rice a pris la conversation]")
    return conversation


def dispatcher_says(
    session: Session, conversation_id: int, dispatcher_id: int, text: str
) -> ConversationMessage:
    text = text.strip()
    if not text:
        raise InvalidInput("an empty message cannot be sent")
    if len(text) > MAX_DISPATCHER_TEXT:
        raise InvalidInput(f"a message is at most {MAX_DISPATCHER_TEXT} characters")
    conversation = _conversation(session, conversation_id)
    if conversation.handled_by != "dispatcher" or conversation.dispatcher_id != dispatcher_id:
        raise Conflict("take the conversation over before writing in it")
    message = ConversationMessage(
        conversation_id=conversation.id,
        direction="out",
        author="dispatcher",
        text=text,
        payload={"dispatcher_id": dispatcher_id},
    )
    session.add(message)
    session.flush()
    _send(session, conversation, "dispatcher_message", {"text": text}, f"dispatcher:{message.id}")
    conversation.last_message_at = utcnow()
    return message


def hand_back(session: Session, conversation_id: int, dispatcher_id: int) -> Conversation:
    conversation = _conversation(session, conversation_id)
    if conversation.handled_by == "bot":
        return conversation
    conversation.handled_by, conversation.dispatcher_id = "bot", None
    conversation.flags = [f for f in conversation.flags if f not in ATTENTION_FLAGS]
    conversation.state = {
        k: v for k, v in conversation.state.items() if k not in ("question", "slots")
    }
    conversation.state = {**conversation.state, "misses": 0}
    _note(session, conversation, "[la conversation revient au robot]")
    _send(
        session,
        conversation,
        "handed_back",
        {},
        f"handback:{conversation.id}:{utcnow().isoformat()}",
    )
    return conversation


def _note(session: Session, conversation: Conversation, text: str) -> None:
    session.add(
        ConversationMessage(
            conversation_id=conversation.id, direction="out", author="system", text=text
        )
    )


def _send(
    session: Session,
    conversation: Conversation,
    kind: str,
    payload: dict[str, str],
    dedupe_key: str,
) -> None:
    channel, address = conversation.channel, conversation.address
    if channel == "voice":
        # The call may be over when the dispatcher writes: reach the caller the way dispatch
        # does (SMS to a mobile, a call to a landline, where an SMS would never arrive).
        person = session.get(Person, conversation.person_id) if conversation.person_id else None
        channel, address = (reach(person) if person else None) or ("sms", conversation.address)
    enqueue(
        session,
        channel=channel,
        address=address,
        kind=kind,
        payload={"language": conversation.language, **payload},
        person_id=conversation.person_id,
        dedupe_key=dedupe_key,
    )


# What a dispatcher must see first: lower is more urgent.
URGENCY = {
    "emergency": 0,
    "asked_for_human": 1,
    "misunderstood_twice": 2,
    "dropped_call": 3,
    "identity_conflict": 4,
    "problem_reported": 5,
    "address_to_verify": 6,
}


def urgency(conversation: Conversation) -> int:
    ranks = [URGENCY.get(str(flag), 9) for flag in conversation.flags]
    if conversation.handled_by == "waiting":
        ranks.append(1)
    return min(ranks, default=10)
