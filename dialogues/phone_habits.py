"""What helps a caller on the phone, learned from their calls: the rules, pure.

Two preferences, each with rules a dispatcher can explain to the caller:

- **Keypad first** (the question says the keys first: "Tapez 1 pour « Oui », 2 pour « Non »,
  ou dites-le"; a misunderstanding offers the keys at once, "Je n'ai pas compris. Tapez
  plutôt une touche.", instead of asking to say it again: dialogues/turn.py) from the moment
  the caller
  - was misunderstood in a row until the keypad was offered, and then answered with keys
    (the keypad is what got them through), or
  - had `KEYPAD_CALLS` calls in which the keypad was offered after misunderstandings, or in
    which they answered `KEYED_ANSWERS` questions with keys although speech was offered.
- **Slow speech** (a slower voice and more time to answer) from the moment the caller
  - asked once to speak more slowly ("parlez plus lentement", "moins vite"), or
  - asked `REPEATS_FOR_SLOW` times in one call to hear a question again (9 or "répétez").

Nothing is forgotten by itself: a dispatcher resets it on the person's page in the console.
`Call` is what happened in the call so far (kept in the conversation's state), `Preferences`
what is stored for the person; `observe` and `learn` are the whole of the rules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

KEYPAD_CALLS = 2
KEYED_ANSWERS = 2
REPEATS_FOR_SLOW = 2


@dataclass(frozen=True)
class Call:
    """One call's signs, from its start."""

    keypad_offered: bool = False  # misunderstood in a row until the keypad was offered
    keyed_after_offer: bool = False  # ... and then answered with keys
    keyed_answers: int = 0  # answers keyed where speech was accepted too
    repeats: int = 0  # "répétez" or 9
    asked_slower: bool = False  # "parlez plus lentement"

    @property
    def counts_as_keypad_call(self) -> bool:
        return self.keypad_offered or self.keyed_answers >= KEYED_ANSWERS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> Call:
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Preferences:
    """What is stored for a person (backend/people/phone_preferences.py)."""

    keypad_first: bool = False
    slow_speech: bool = False
    keypad_calls: int = 0  # calls that counted towards keypad-first
    repeats: int = 0  # repeats asked, over all calls (shown to dispatchers)


@dataclass(frozen=True)
class Signs:
    """What one turn showed (dialogues/phone_learning.py reads them off the turn)."""

    keypad_offered: bool = False
    keyed: bool = False  # the caller answered with keys (not 0 or 9)
    repeat: bool = False
    slower: bool = False  # a repeat asking for slower speech


def observe(call: Call, signs: Signs) -> Call:
    """The call, one turn later."""
    return replace(
        call,
        keypad_offered=call.keypad_offered or signs.keypad_offered,
        keyed_after_offer=call.keyed_after_offer or (call.keypad_offered and signs.keyed),
        keyed_answers=call.keyed_answers + int(signs.keyed),
        repeats=call.repeats + int(signs.repeat or signs.slower),
        asked_slower=call.asked_slower or signs.slower,
    )


def learn(stored: Preferences, before: Call, after: Call) -> Preferences:
    """The person's preferences once the call went from `before` to `after` (one turn)."""
    keypad_calls = stored.keypad_calls + int(
        after.counts_as_keypad_call and not before.counts_as_keypad_call
    )
    return Preferences(
        keypad_first=stored.keypad_first or after.keyed_after_offer or keypad_calls >= KEYPAD_CALLS,
        slow_speech=stored.slow_speech or after.asked_slower or after.repeats >= REPEATS_FOR_SLOW,
        keypad_calls=keypad_calls,
        repeats=stored.repeats + max(after.repeats - before.repeats, 0),
    )


def in_call(stored: Preferences, call: Call) -> Preferences:
    """What applies for the rest of this call: the stored preferences, and what this call
    has already shown (a caller not yet known to us is helped within the call too)."""
    return replace(
        stored,
        keypad_first=stored.keypad_first or call.keyed_after_offer,
        slow_speech=stored.slow_speech or call.asked_slower or call.repeats >= REPEATS_FOR_SLOW,
    )
