"""First contact: name, phone (Telegram's contact button), address with a read-back.

Diagram: registration.md. On the phone the caller's number is already known, so it is not
asked. On Telegram a number is kept only once proven: by the user's OWN contact card
(Telegram says whose card it is), or by the one-time code sent to the number (SMS, or a call
to a landline) typed back. Every typed number gets that code, whether someone has it or not,
in the same words: a typed number is never stored unproven (else its real owner, calling the
hotline later, would land in whoever typed it), and a chat cannot tell residents' numbers
from others. A proven number that is already known (a hotline caller) makes the user the
same person: one identity, every channel; until then nothing of the owner's (name,
requests, address) is shown. What the person first asked is resumed afterwards.
"""

from __future__ import annotations

import re
from typing import Any

from backend.errors import Conflict
from backend.people.codes import RedeemResult
from backend.people.phones import masked_phone
from dialogues import actions
from dialogues.flows.postcard_code import typed_code
from dialogues.messages import Choice, Expect
from dialogues.said_back import said_back
from dialogues.turn import Turn
from dialogues.understanding import yes_or_no

NAME = "registration"
_REQUESTS = ("request_help", "offer_help", "check_status", "browse_listings", "post_alert")
_INTRO = re.compile(
    r"^\s*(?:euh|ben|alors|bonjour|bonsoir|hello|hi|oui)?[\s,]*"
    r"(?:je m'?appelle|je suis|moi c'?est|c'?est|mon nom est|my name is|i am|i'?m|this is)?\s*",
    re.IGNORECASE,
)


class RegistrationFlow:
    name = NAME

    def start(self, turn: Turn, resume: dict[str, Any] | None = None, **_: Any) -> None:
        turn.goto(NAME, "name")
        turn.remember(resume=resume or {})
        turn.say("greeting_new")
        turn.ask("ask_name", Expect.text)

    def handle(self, turn: Turn) -> None:
        getattr(self, f"on_{turn.step or 'name'}")(turn)

    def on_name(self, turn: Turn) -> None:
        understanding = turn.understanding
        if understanding is not None and understanding.is_intent(*_REQUESTS, at_least=0.6):
            # They said what they need before their name: keep it for afterwards.
            turn.remember(resume={"text": turn.incoming.text})
            turn.ask("ask_name_first", Expect.text)
            return
        name = _name_from(turn)
        if not name:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        turn.understood()
        turn.set_slots(name=name)
        if turn.incoming.channel == "telegram":
            self._ask_phone(turn)
        else:
            self._ask_address(turn)

    def on_phone(self, turn: Turn) -> None:
        incoming = turn.incoming
        if incoming.choice == "skip":
            self._ask_address(turn)
            return
        if incoming.contact is not None:
            if incoming.contact.user_id is None or incoming.contact.user_id != incoming.sender_id:
                # Someone else's card (Telegram says whose): not proof of this number.
                turn.say("phone_not_yours")
                turn.repeat_question()
                return
            self._proven(turn, actions.link_shared_phone(turn, incoming.contact.phone))
            return
        if not incoming.text:
            self._ask_phone(turn)
            return
        self._typed(turn, incoming.text)

    def on_phone_code(self, turn: Turn) -> None:
        """The code sent to a typed number: only the right one, typed back here, proves it
        (and makes this account its owner's, if someone has it)."""
        incoming = turn.incoming
        phone = turn.slots.get("pending_phone")
        if incoming.choice == "skip" or not phone:
            turn.set_slots(pending_phone=None)
            turn.say("phone_code.skipped")
            self._ask_address(turn)
            return
        if incoming.choice == "resend":
            self._send_code(turn, phone)
            return
        if incoming.contact is not None:
            self.on_phone(turn)  # their own card after all: that proves it at once
            return
        code = typed_code(incoming)
        if code is None:
            if incoming.text and actions.phone_number(incoming.text):
                self._typed(turn, incoming.text)  # another number: they mistyped the first
                return
            turn.say("phone_code.not_a_code")
            turn.repeat_question()
            return
        outcome = actions.check_phone_code(turn, phone, code)
        if outcome.result == RedeemResult.verified:
            turn.set_slots(pending_phone=None)
            self._proven(turn, actions.link_shared_phone(turn, phone))
            return
        if outcome.result == RedeemResult.wrong:
            if outcome.attempts_left == 1:
                turn.say("phone_code.wrong_last")
            else:
                turn.say("phone_code.wrong", left=outcome.attempts_left)
            turn.repeat_question()
            return
        key = (
            "phone_code.too_many"
            if outcome.result == RedeemResult.too_many_attempts
            else "phone_code.expired"
        )
        turn.ask(key, Expect.text, self._code_choices(turn))

    # ------------------------------------------------------------------
    def _typed(self, turn: Turn, said: str) -> None:
        """A typed number proves nothing (anyone can type a neighbour's): it is sent a code,
        whoever has it or if nobody does, and kept only once the code comes back."""
        phone = actions.phone_number(said)
        if phone is None:
            turn.say("phone_invalid")
            turn.repeat_question()
            return
        turn.understood()
        turn.set_slots(phone=None, phone_verified=None)
        self._send_code(turn, phone)

    def _send_code(self, turn: Turn, phone: str) -> None:
        """Said the same way whether the number is someone's or nobody's, and nothing of an
        owner's is shown meanwhile."""
        turn.goto(NAME, "phone_code")
        turn.set_slots(pending_phone=phone)
        try:
            sent = actions.send_phone_code(turn, phone)
        except Conflict as exc:
            if exc.details.get("reason") != "too_many_codes":
                raise
            turn.ask("phone_code.limit", Expect.text, (Choice("skip", turn.prompts.say("skip")),))
            return
        key = "phone_code.sent_call" if sent.channel == "voice_call" else "phone_code.sent"
        turn.ask(key, Expect.text, self._code_choices(turn), phone=masked_phone(sent.phone))

    def _code_choices(self, turn: Turn) -> tuple[Choice, ...]:
        p = turn.prompts
        return (Choice("resend", p.say("phone_code.resend")), Choice("skip", p.say("skip")))

    def _proven(self, turn: Turn, outcome: str) -> None:
        """The number is the sender's (own contact card, or the code): join its owner."""
        if outcome == "invalid":
            turn.say("phone_invalid")
            turn.repeat_question()
            return
        if outcome == "taken":
            turn.say("phone_taken")
            actions.hand_over(turn, "identity_conflict")
            return
        turn.understood()
        if outcome == "linked":
            turn.say("phone_linked")
            person = turn.person
            assert person is not None
            turn.say("greeting_known", name=person.display_name.split()[0])
            if person.primary_address is None:
                self._ask_address(turn)
                return
            _resume(turn)
            return
        self._ask_address(turn)

    def on_address(self, turn: Turn) -> None:
        incoming = turn.incoming
        if incoming.location is not None:
            turn.set_slots(
                address={
                    "street": "Position partagée",
                    "lat": incoming.location.lat,
                    "lon": incoming.location.lon,
                }
            )
            self._done(turn)
            return
        said = (incoming.text or "").strip()
        if not said:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        found = actions.locate_address(turn, said)
        turn.set_slots(address=found)
        turn.understood()
        turn.goto(NAME, "address_confirm")
        address = said_back(actions.address_line(found), turn.language)
        turn.ask_yes_no("address_readback", address=address)

    def on_address_confirm(self, turn: Turn) -> None:
        answer = yes_or_no(turn.incoming, turn.understanding)
        if answer is None:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        turn.understood()
        if not answer:
            self._ask_address(turn)
            return
        if turn.slots.get("address", {}).get("lat") is None:
            turn.say("address_unknown")
        self._done(turn)

    # ------------------------------------------------------------------
    def _ask_phone(self, turn: Turn) -> None:
        turn.goto(NAME, "phone")
        p = turn.prompts
        turn.ask("ask_phone", Expect.contact, (Choice("skip", p.say("skip")),))

    def _ask_address(self, turn: Turn) -> None:
        turn.goto(NAME, "address")
        key = "ask_address_or_location" if turn.incoming.channel == "telegram" else "ask_address"
        turn.ask(key, Expect.location)

    def _done(self, turn: Turn) -> None:
        if turn.person is None:
            actions.register(turn)
        else:
            actions.set_home(turn, turn.slots.get("address") or {})
        person = turn.person
        assert person is not None
        turn.say("registered", name=person.display_name.split()[0])
        _resume(turn)


def _name_from(turn: Turn) -> str | None:
    """The whole name as given ("Je m'appelle jeanne dupont" -> "Jeanne Dupont"): what is
    said after the introduction, up to the first punctuation, when it reads as a name; else
    the intent model's person entity (a name within a longer sentence)."""
    said = _INTRO.sub("", (turn.incoming.text or "").strip(" .,!?"), count=1)
    said = re.split(r"[,.;:!?()]", said, maxsplit=1)[0]
    words = said.split()
    if 0 < len(words) <= MAX_NAME_WORDS and all(_NAME_WORD.fullmatch(w) for w in words):
        return _capitalise(words)
    understanding = turn.understanding
    person = understanding.entity("person") if understanding else None
    if not isinstance(person, str) or not person.strip():
        return None
    words = [w for w in _INTRO.sub("", person, count=1).split() if any(c.isalpha() for c in w)]
    if not words or len(words) > MAX_NAME_WORDS:
        return None
    return _capitalise(words)


MAX_NAME_WORDS = 6
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Lowercase inside a name, as written: "Marie de la Tour", "Ludwig van Beethoven".
_PARTICLES = frozenset({"de", "du", "des", "la", "le", "d", "van", "von", "der", "den", "di", "da"})


def _capitalise(words: list[str]) -> str:
    """Capitals as a name is written: all-lower or ALL-CAPS words get an initial capital
    (hyphenated and apostrophe parts too: "Jean-Pierre", "O'Brien"); particles after the
    first word stay lowercase; a name typed in mixed case ("McDonald") is kept as typed."""
    out = []
    for i, word in enumerate(words):
        if i > 0 and word.lower() in _PARTICLES:
            out.append(word.lower())
        elif word.islower() or word.isupper():
            out.append(re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), word))
        else:
            out.append(word)
    return " ".join(out)[:120]


def _resume(turn: Turn) -> None:
    from dialogues.router import start_from_intent

    resume = dict(turn.state.get("resume") or {})
    turn.finish()
    turn.remember(resume={})
    start_from_intent(turn, resume.get("text"))
