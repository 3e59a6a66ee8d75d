"""The hotline learns what helps each caller (rules: dialogues/phone_habits.py) and says how
the replies should be delivered: `pace` and `keypad_first` on the `TurnResult`, which the
voice renderer applies (bots/voice/render.py) and other channels ignore.

After each phone turn, `observe_turn` reads the turn's signs (the keypad offered after
misunderstandings, keys pressed, "répétez", "parlez plus lentement"), keeps the call's
signs in the conversation's state (`phone_call`, started afresh with each call) and writes
the person's stored preferences when they change, in the turn's transaction: a retried
webhook is rolled back whole, so nothing is counted twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.people.models import PhonePreferences
from backend.people.phone_preferences import get_phone_preferences, save_phone_preferences
from dialogues.messages import Outgoing
from dialogues.phone_habits import Call, Preferences, Signs, in_call, learn, observe
from dialogues.understanding import fold

if TYPE_CHECKING:  # a Turn asks keypad_first() when it misunderstands (dialogues/turn.py)
    from dialogues.turn import Turn

STATE_KEY = "phone_call"
KEYPAD_OFFERED = "keypad_offered"  # a note of Turn.misunderstood (dialogues/turn.py)
# Asking for slower speech, in a request to repeat (the intent model hears "repeat").
SLOWER_WORDS = (
    "lentement",
    "moins vite",
    "trop vite",
    "plus lent",
    "slowly",
    "slower",
    "too fast",
    "slow down",
)
_CALL_STARTS = ("call:start", "call:answered:")


def observe_turn(turn: Turn) -> None:
    """Learn from one turn of a phone call (nothing on other channels)."""
    incoming = turn.incoming
    if incoming.channel != "voice":
        return
    choice = incoming.choice or ""
    starting = choice.startswith(_CALL_STARTS)
    if choice.startswith("call:") and not starting:
        return  # the call's bookkeeping (ended, a machine...): nobody said anything
    before = Call() if starting else Call.from_dict(turn.state.get(STATE_KEY))
    signs_now = Signs() if starting else signs(turn)
    after = observe(before, signs_now)
    if starting or after != before:
        turn.remember(**{STATE_KEY: after.to_dict()})
    if signs_now.slower and not before.asked_slower:
        turn.replies.insert(0, Outgoing(text=turn.prompts.say("voice.slower")))
    if turn.person is None or after == before:
        return
    row = get_phone_preferences(turn.session, turn.person.id)
    stored = _stored(row)
    learned = learn(stored, before, after)
    if learned != stored:
        save_phone_preferences(
            turn.session,
            turn.person.id,
            keypad_first=learned.keypad_first,
            slow_speech=learned.slow_speech,
            keypad_calls=learned.keypad_calls,
            repeats=learned.repeats,
            now=turn.now,
        )


def signs(turn: Turn) -> Signs:
    """What this turn showed. A turn handed to a person teaches nothing."""
    if any(r.handoff for r in turn.replies):
        return Signs(keypad_offered=KEYPAD_OFFERED in turn.notes)
    incoming = turn.incoming
    key = (incoming.digits or "").strip().rstrip("#")
    understanding = turn.understanding if incoming.text else None
    repeat = key == "9" or (
        understanding is not None and understanding.is_intent("repeat", at_least=0.6)
    )
    said = fold(incoming.text or "")
    return Signs(
        keypad_offered=KEYPAD_OFFERED in turn.notes,
        keyed=bool(key) and key not in ("0", "9"),
        repeat=repeat,
        slower=repeat and any(w in said for w in SLOWER_WORDS),
    )


def delivery(session: Session, conversation: Conversation) -> dict[str, Any]:
    """`TurnResult` fields saying how the phone delivers the replies (none elsewhere)."""
    if conversation.channel != "voice":
        return {}
    now = _in_call(session, conversation)
    return {"pace": "slow" if now.slow_speech else "normal", "keypad_first": now.keypad_first}


def keypad_first(turn: Turn) -> bool:
    """The line leads with the keys for this caller now: a miss offers them at once."""
    if turn.incoming.channel != "voice":
        return False
    return _in_call(turn.session, turn.conversation).keypad_first


def _in_call(session: Session, conversation: Conversation) -> Preferences:
    row = (
        get_phone_preferences(session, conversation.person_id)
        if conversation.person_id is not None
        else None
    )
    return in_call(_stored(row), Call.from_dict(conversation.state.get(STATE_KEY)))


def _stored(row: PhonePreferences | None) -> Preferences:
    if row is None:
        return Preferences()
    return Preferences(
        keypad_first=row.keypad_first,
        slow_speech=row.slow_speech,
        keypad_calls=row.keypad_calls,
        repeats=row.repeats,
    )
