"""A postcard code (backend/people/postcards.py) entered on Telegram or on the phone.

Two ways in. Anyone with a card in the post who sends six digits and nothing else ("482913",
"code 482 913", keyed or spoken on the phone) while no other flow is asking something gets
them checked at once (router, step 1c). And the menu of such a person offers "I received a
code by post", which asks for it: on the phone that question takes a full keypad entry
ending with #, where the menu itself takes one key. Diagram: postcard_code.md.
"""

from __future__ import annotations

import re
from typing import Any

from backend.people.postcards import (
    CODE_DIGITS,
    RedeemResult,
    pending_postcard,
    redeem_postcard_code,
)
from dialogues import actions
from dialogues.messages import Expect, Incoming
from dialogues.turn import Turn
from dialogues.understanding import fold
from nlu.entities.numbers import NUMBER_WORDS

NAME = "postcard_code"
_ANSWERS = {
    RedeemResult.verified: "postcard.verified",
    RedeemResult.expired: "postcard.expired",
    RedeemResult.too_many_attempts: "postcard.too_many",
    RedeemResult.none_pending: "postcard.none_pending",
}
REISSUE_FLAG = "postcard_to_reissue"  # the conversation shows the dispatchers a card to resend
# Spoken digits, as the phone's speech recognition may write them (accents folded away); not
# the articles, which the number words also read as 1.
_WORDS = {
    word: str(value)
    for word, value in NUMBER_WORDS.items()
    if value < 10 and word not in ("a", "an", "une")
}
_PREFIX = re.compile(r"^(?:(?:le|mon|the|my)\s+)?code\b\s*:?\s*")
_SEPARATORS = re.compile(r"[\s.,\-]+")


def typed_code(incoming: Incoming) -> str | None:
    """The six digits of a message that is a code and nothing else, else None."""
    for said in (incoming.digits, incoming.text):
        digits = _digits_only(said or "")
        if digits is not None and len(digits) == CODE_DIGITS:
            return digits
    return None


def _digits_only(said: str) -> str | None:
    """ "code 482 913" -> "482913"; None when anything else than digits is said."""
    digits = ""
    for token in _SEPARATORS.split(_PREFIX.sub("", fold(said).strip())):
        if token.isascii() and token.isdigit():
            digits += token
        elif token in _WORDS:
            digits += _WORDS[token]
        elif token:
            return None
    return digits or None


def code_for_pending_card(turn: Turn) -> str | None:
    """A code to check now: the person has a card in the post and no other flow is asking."""
    if turn.person is None or turn.flow not in (None, NAME):
        return None
    code = typed_code(turn.incoming)
    if code is None or pending_postcard(turn.session, turn.person.id, now=turn.now) is None:
        return None
    return code


def has_card_in_the_post(turn: Turn) -> bool:
    return (
        turn.person is not None
        and pending_postcard(turn.session, turn.person.id, now=turn.now) is not None
    )


def check_code(turn: Turn, code: str) -> None:
    """Redeem the code and say what came of it."""
    assert turn.person is not None
    outcome = redeem_postcard_code(turn.session, turn.person.id, code, now=turn.now)
    turn.understood()
    if turn.flow == NAME:
        turn.finish()
    if outcome.result == RedeemResult.wrong:
        if outcome.attempts_left == 1:
            turn.say("postcard.wrong_last")
        else:
            turn.say("postcard.wrong", left=outcome.attempts_left)
        PostcardCodeFlow().start(turn)
        return
    if outcome.result in (RedeemResult.expired, RedeemResult.too_many_attempts):
        turn.flag(REISSUE_FLAG)
    turn.say(_ANSWERS[outcome.result])


class PostcardCodeFlow:
    name = NAME

    def start(self, turn: Turn, **context: Any) -> None:
        turn.goto(NAME, "code")
        key = "postcard.ask_code_phone" if turn.incoming.channel == "voice" else "postcard.ask_code"
        turn.ask(key, Expect.text)

    def handle(self, turn: Turn) -> None:
        incoming = turn.incoming
        code = typed_code(incoming)
        if code is not None:
            check_code(turn, code)
            return
        if incoming.silence:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        if _digits_only(incoming.digits or incoming.text or "") is not None:
            turn.say("postcard.not_a_code")  # digits, but not six of them
            turn.repeat_question()
            return
        # Something else entirely: the person moved on, and so do we.
        turn.finish()
        from dialogues.router import route

        route(turn)
