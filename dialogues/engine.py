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
from backend.people.service import find_by_caller_id, find_by_contact
from dialogues import store
from dialogues.config import EngineConfig
from dialogues.danger import Danger, read_danger
from dialogues.flows.call_back import emergency_chat_back, held_without_a_line, late_chat_back
from dialogues.language import follow_language
from dialogues.messages import Incoming, Outgoing, TurnResult
from dialogues.phone_learning import delivery, observe_turn
from dialogues.prompts import Prompts
from dialogues.router import route
from dialogues.turn import Turn
from dialogues.understanding import MAX_TEXT as MAX_UNDERSTOOD_TEXT
from dialogues.understanding import fold
from nlu.interface import IntentParser


class Engine:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        parser: IntentParser,
        config: EngineConfig,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._factory = session_factory
        self.parser = parser  # public: the composition root may warm it up
        self._config = config
        self._clock = clock

    def handle(self, incoming: Incoming) -> TurnResult:
        """One turn in one transaction, written for the usual case: a new message that the
        flow handles. The two rare cases pay for themselves instead of every turn paying for
        them: a retry is found when its transcript row collides with the original's (the
        whole turn is rolled back, and the replies already given are read), and a refusal
        of the domain rolls the flow's work back and records the turn again, without it.
        """
        now = self._clock()
        incoming = _clean(incoming)
        try:
            with transaction(self._factory) as session:
                return self._turn(session, incoming, now)
        except store.AlreadyHandled:
            return self._earlier(incoming)
        except _Refused as refused:
            try:
                with transaction(self._factory) as session:
                    conversation, _ = self._open(session, incoming)
                    store.log_turn(session, conversation, incoming, refused.replies)
                    return TurnResult(
                        replies=refused.replies,
                        language=conversation.language,
                        **delivery(session, conversation),
                    )
            except store.AlreadyHandled:
                return self._earlier(incoming)

    def _open(self, session: Session, incoming: Incoming) -> tuple[Conversation, Person | None]:
        conversation, person = store.lock_conversation(
            session, incoming.channel, incoming.address, _language(incoming, self._config)
        )
        return conversation, person or _identify(session, conversation, incoming)

    def _turn(self, session: Session, incoming: Incoming, now: datetime) -> TurnResult:
        conversation, person = self._open(session, incoming)
        held = conversation.handled_by != "bot" and not _machine_answered(incoming)
        if held and not self._nobody_to_put_through(incoming):
            replies = self._while_a_human_has_it(session, conversation, incoming, person, now)
            store.log_turn(session, conversation, incoming, replies)
            return TurnResult(replies=replies, silent=not replies, language=conversation.language)
        turn = Turn(
            session=session,
            conversation=conversation,
            incoming=incoming,
            person=person,
            parser=self.parser,
            config=self._config,
            now=now,
        )
        follow_language(turn)  # before anything reads turn.language
        turn.incoming = _resolve_choice(turn)
        try:
            if held:  # a call for a dispatcher the line cannot put through: a call-back
                held_without_a_line(turn)
            else:
                route(turn)
        except DomainError as exc:
            # A refusal of the domain is said plainly; the conversation goes on.
            replies = [*self._too_long(turn), *turn.replies, Outgoing(text=exc.message)]
            raise _Refused(replies) from exc
        observe_turn(turn)  # what helps this caller on the phone, learned
        turn.replies[:0] = self._too_long(turn)
        store.log_turn(session, conversation, incoming, turn.replies, turn.parsed)
        return TurnResult(
            replies=turn.replies, language=turn.language, **delivery(session, conversation)
        )

    def _earlier(self, incoming: Incoming) -> TurnResult:
        with transaction(self._factory) as session:
            conversation, _ = store.lock_conversation(
                session, incoming.channel, incoming.address, _language(incoming, self._config)
            )
            earlier = store.earlier_replies(session, conversation, incoming.external_id)
            return TurnResult(
                replies=earlier or [],
                duplicate=True,
                language=conversation.language,
                **delivery(session, conversation),
            )

    @staticmethod
    def _too_long(turn: Turn) -> list[Outgoing]:
        text = turn.incoming.text
        if text and len(text) > MAX_UNDERSTOOD_TEXT:
            return [Outgoing(text=turn.prompts.say("too_long"))]
        return []

    def _nobody_to_put_through(self, incoming: Incoming) -> bool:
        """On the phone a held conversation is put through to DISPATCHER_PHONE; without one
        the caller is owed a call-back instead (not the status callback of a call's end)."""
        return (
            incoming.channel == "voice"
            and not self._config.transfers
            and not (incoming.choice or "").startswith("call:ended:")
        )

    def _while_a_human_has_it(
        self,
        session: Session,
        conversation: Conversation,
        incoming: Incoming,
        person: Person | None,
        now: datetime,
    ) -> list[Outgoing]:
        """The bot stays silent, except that danger is always answered: here a fall or pain
        with no clear "now" is answered as one too (nobody may be reading yet to ask), while
        one that is over or mild ("je suis tombée la semaine dernière") is not. On a chat,
        the task owed becomes an emergency and the person is told by when; on the phone the
        call is put through to the dispatcher. A chat still waiting past the time it was
        promised is told, once, that the team is late."""
        if read_danger(incoming.text) in (Danger.now, Danger.unsure):
            if "emergency" not in conversation.flags:
                conversation.flags = [*conversation.flags, "emergency"]
            said = Prompts(conversation.language).say("emergency")
            if incoming.channel == "voice":
                return [Outgoing(text=said, handoff=True)]
            when = emergency_chat_back(
                session, conversation, incoming, now, person, conversation.language
            )
            return [Outgoing(text=said), when]
        late = late_chat_back(session, conversation, incoming, now, conversation.language)
        return [late] if late is not None else []


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")
MAX_INCOMING_TEXT = 10_000


class _Refused(Exception):  # noqa: N818  (a control-flow signal, not an error)
    """The domain refused: the flow's work is rolled back, these replies are recorded."""

    def __init__(self, replies: list[Outgoing]) -> None:
        super().__init__("refused")
        self.replies = replies


def _machine_answered(incoming: Incoming) -> bool:
    """An answering machine or a fax took a call we placed: the bookkeeping of its message
    (bots/voice, dialogues/flows/answering_machine.py) runs whoever holds the conversation,
    and a dispatcher's own message is not put through to a machine."""
    # Likewise a transfer nobody answered (flows/call_back.py): the caller is owed a call-back.
    # And a transfer that got through (call:connected:): a call-back's task is then done.
    return (incoming.choice or "").startswith(
        ("call:machine:", "call:fax:", "call:unreached:", "call:connected:")
    )


def _clean(incoming: Incoming) -> Incoming:
    """No control characters (PostgreSQL refuses NUL in text), no unbounded text."""
    cleaned = replace(
        incoming,
        text=_clip(incoming.text, MAX_INCOMING_TEXT),
        choice=_clip(incoming.choice, 200),
        digits=_clip(incoming.digits, 200),
        sender_name=_clip(incoming.sender_name, 200),
    )
    return incoming if cleaned == incoming else cleaned


def _clip(value: str | None, limit: int) -> str | None:
    return None if value is None else value.translate(_CONTROL)[:limit]


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
            # Not by a number a Telegram chat typed and never proved (service.py).
            person = find_by_caller_id(session, conversation.address)
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
