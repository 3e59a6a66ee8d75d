"""The conversation engine: one incoming message in, the replies out, state kept in the
database. It never calls a channel; messages to other people go through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from backend.conversations.models import Conversation
from backend.db import transaction, utcnow
from backend.errors import DomainError
from backend.people.models import ContactKind, Person
from backend.people.service import find_by_contact
from dialogues import store
from dialogues.config import EngineConfig
from dialogues.messages import Incoming, Outgoing, TurnResult
from dialogues.prompts import Prompts
from dialogues.router import route
from dialogues.turn import Turn
from dialogues.understanding import MAX_TEXT as MAX_UNDERSTOOD_TEXT
from dialogues.understanding import fold, sounds_like_emergency
from nlu.interface import IntentParser


class Engine:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        parser: IntentParser,
        config: EngineConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._factory = session_factory
        self.parser = parser  # public: the composition root may warm it up
        self._config = config or EngineConfig()
        self._clock = clock

    def handle(self, incoming: Incoming) -> TurnResult:
        now = self._clock()
        incoming = _clean(incoming)
        with transaction(self._factory) as session:
            conversation = store.lock_conversation(
                session, incoming.channel, incoming.address, _language(incoming, self._config)
            )
            earlier = store.earlier_replies(session, conversation, incoming.external_id)
            if earlier is not None:
                return TurnResult(replies=earlier, duplicate=True, language=conversation.language)
            logged = store.log_incoming(session, conversation, incoming)
            person = _identify(session, conversation, incoming)
            if conversation.handled_by != "bot":
                replies = self._while_a_human_has_it(conversation, incoming)
                store.log_replies(session, conversation, logged, replies)
                return TurnResult(
                    replies=replies, silent=not replies, language=conversation.language
                )
            turn = Turn(
                session=session,
                conversation=conversation,
                incoming=incoming,
                person=person,
                parser=self.parser,
                config=self._config,
                now=now,
            )
            turn.incoming = _resolve_choice(turn)
            try:
                with session.begin_nested():
                    route(turn)
            except DomainError as exc:
                # A refusal of the domain is said plainly; the conversation goes on.
                turn.replies.append(Outgoing(text=exc.message))
            if incoming.text and len(incoming.text) > MAX_UNDERSTOOD_TEXT:
                turn.replies.insert(0, Outgoing(text=turn.prompts.say("too_long")))
            store.log_replies(session, conversation, logged, turn.replies)
            return TurnResult(replies=turn.replies, language=turn.language)

    def _while_a_human_has_it(
        self, conversation: Conversation, incoming: Incoming
    ) -> list[Outgoing]:
        """The bot stays silent, except that an emergency is always answered."""
        if sounds_like_emergency(incoming.text):
            if "emergency" not in conversation.flags:
                conversation.flags = [*conversation.flags, "emergency"]
            return [Outgoing(text=Prompts(conversation.language).say("emergency"))]
        return []


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")
MAX_INCOMING_TEXT = 10_000


def _clean(incoming: Incoming) -> Incoming:
    """No control characters (PostgreSQL refuses NUL in text), no unbounded text."""
    changes = {}
    for name in ("text", "choice", "digits", "sender_name"):
        value = getattr(incoming, name)
        if isinstance(value, str):
            cleaned = value.translate(_CONTROL)[: MAX_INCOMING_TEXT if name == "text" else 200]
            if cleaned != value:
                changes[name] = cleaned
    return replace(incoming, **changes) if changes else incoming


def _language(incoming: Incoming, config: EngineConfig) -> str:
    hint = (incoming.language or "").lower()
    if hint.startswith("en"):
        return "en"
    if hint.startswith("fr"):
        return "fr"
    return config.default_language


def _identify(session: Session, conversation: Conversation, incoming: Incoming) -> Person | None:
    if conversation.person_id is not None:
        person = session.get(Person, conversation.person_id)
        if person is not None:
            return person
    person = None
    if incoming.channel == "telegram" and incoming.sender_id:
        person = find_by_contact(session, ContactKind.telegram, incoming.sender_id)
    elif incoming.channel in ("voice", "sms"):
        try:
            person = find_by_contact(session, ContactKind.phone, conversation.address)
        except DomainError:
            person = None  # a withheld or odd caller id
    if person is not None:
        conversation.person_id = person.id
        conversation.language = person.language
    return person


def _resolve_choice(turn: Turn) -> Incoming:
    """Keypad digits and typed words that name one of the offered choices become that choice."""
    incoming = turn.incoming
    question = turn.state.get("question") or {}
    choices = question.get("choices") or []
    if incoming.choice or not choices:
        return incoming
    if incoming.digits:
        for choice in choices:
            if choice.get("key") and incoming.digits.strip() == choice["key"]:
                return replace(incoming, choice=choice["id"])
        return incoming
    if incoming.text:
        said = _bare(incoming.text)
        for choice in choices:
            if said and said == _bare(choice["label"]):
                return replace(incoming, choice=choice["id"])
    return incoming


def _bare(text: str) -> str:
    return "".join(c for c in fold(text) if c.isalnum() or c == " ").strip()
