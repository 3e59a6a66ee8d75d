"""Everything one turn of a conversation needs, and the little verbs flows use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.people.models import Person
from dialogues.config import EngineConfig
from dialogues.messages import Choice, Expect, Incoming, Outgoing
from dialogues.phone_learning import keypad_first
from dialogues.prompts import Prompts
from dialogues.understanding import Understanding, understand
from nlu.interface import IntentParser

MISSES_BEFORE_HANDOFF = 2
# The phone line (bots/voice): a silence or a misheard answer is common, so a caller is asked
# again once, then offered the keypad explicitly, and only then put through to a human.
VOICE_MISSES_BEFORE_HANDOFF = 3


@dataclass
class Turn:
    session: Session
    conversation: Conversation
    incoming: Incoming
    person: Person | None
    parser: IntentParser
    config: EngineConfig
    now: datetime
    replies: list[Outgoing] = field(default_factory=list)
    # This turn only: a message clearly in the other language is answered in it (language.py).
    language_of_turn: str | None = None
    # What the turn did that the phone line learns from (dialogues/phone_learning.py).
    notes: set[str] = field(default_factory=set)
    _understanding: Understanding | None = None
    _parsed: bool = False

    # ---------------------------------------------------------------- language and state
    @property
    def language(self) -> str:
        return self.language_of_turn or self.conversation.language or self.config.default_language

    @property
    def prompts(self) -> Prompts:
        return Prompts(self.language)

    @property
    def state(self) -> dict[str, Any]:
        # Always reassign after changes (see save_state): JSON columns track assignment only.
        return self.conversation.state

    @property
    def slots(self) -> dict[str, Any]:
        return dict(self.state.get("slots", {}))

    def set_slots(self, **values: Any) -> None:
        slots = {**self.slots, **values}
        self.conversation.state = {**self.state, "slots": slots}

    def remember(self, **values: Any) -> None:
        self.conversation.state = {**self.state, **values}

    @property
    def flow(self) -> str | None:
        return self.conversation.flow

    @property
    def step(self) -> str | None:
        return self.conversation.step

    def goto(self, flow: str, step: str) -> None:
        if self.conversation.flow != flow:
            self.conversation.state = {k: v for k, v in self.state.items() if k != "slots"}
        self.conversation.flow, self.conversation.step = flow, step

    def finish(self) -> None:
        self.conversation.flow = self.conversation.step = None
        self.conversation.state = {k: v for k, v in self.state.items() if k not in ("slots",)}

    def flag(self, name: str) -> None:
        if name not in self.conversation.flags:
            self.conversation.flags = [*self.conversation.flags, name]

    # ---------------------------------------------------------------- understanding
    @property
    def understanding(self) -> Understanding | None:
        """The intent model's reading of free text (parsed once, on first use)."""
        if not self._parsed:
            self._parsed = True
            if self.incoming.text and self.incoming.text.strip():
                self._understanding = understand(
                    self.parser, self.incoming.text, now=self.now, language=self.language
                )
        return self._understanding

    @property
    def parsed(self) -> Understanding | None:
        """The model's reading if this turn asked for one (never parses by itself)."""
        return self._understanding

    def understood(self) -> None:
        self.remember(misses=0)

    # ---------------------------------------------------------------- replies
    def say(self, key: str, **values: Any) -> None:
        self.replies.append(Outgoing(text=self.prompts.say(key, **values)))

    def say_text(self, text: str) -> None:
        self.replies.append(Outgoing(text=text))

    def ask(
        self,
        key: str,
        expect: Expect = Expect.text,
        choices: tuple[Choice, ...] | list[Choice] = (),
        **values: Any,
    ) -> None:
        self.ask_text(self.prompts.say(key, **values), expect, choices)

    def ask_text(
        self,
        text: str,
        expect: Expect = Expect.text,
        choices: tuple[Choice, ...] | list[Choice] = (),
    ) -> None:
        question = Outgoing(text=text, choices=tuple(choices), expect=expect)
        self.replies.append(question)
        # What "répéter" and a misunderstanding re-ask.
        self.remember(question=question.to_dict())

    def ask_yes_no(self, key: str, **values: Any) -> None:
        p = self.prompts
        self.ask(
            key,
            Expect.yes_no,
            (Choice("yes", p.say("answer_yes"), "1"), Choice("no", p.say("answer_no"), "2")),
            **values,
        )

    def repeat_question(self) -> None:
        question = self.state.get("question")
        if question:
            self.replies.append(Outgoing.from_dict(question))

    def misunderstood(self) -> bool:
        """Say so and ask again; returns True when it is time for a human instead."""
        misses = int(self.state.get("misses", 0)) + 1
        self.remember(misses=misses)
        on_phone = self.incoming.channel == "voice"  # the phone's gentler ladder, see above
        if misses >= (VOICE_MISSES_BEFORE_HANDOFF if on_phone else MISSES_BEFORE_HANDOFF):
            return True
        if on_phone and self._asked_keys() and keypad_first(self):
            # Keys help this caller (dialogues/phone_habits.py): not asked to say it again,
            # the keys at once (the question is read keys first), then 0 for a person too.
            if misses == VOICE_MISSES_BEFORE_HANDOFF - 1:
                self.say("voice.keys_now_or_human")
            else:
                self.say("voice.keys_now_silence" if self.incoming.silence else "voice.keys_now")
            self.repeat_question()
            return False
        if on_phone and misses == VOICE_MISSES_BEFORE_HANDOFF - 1:
            self.say("voice.keypad_hint")
            self.notes.add("keypad_offered")
        elif on_phone and self.incoming.silence:
            self.say("voice.not_heard")
        else:
            self.say("not_understood")
        self.repeat_question()
        return False

    def _asked_keys(self) -> bool:
        question = self.state.get("question") or {}
        return any(c.get("key") for c in question.get("choices") or [])
