"""First contact: name, phone (Telegram's contact button), address with a read-back.

Diagram: registration.md. On the phone the caller's number is already known, so it is not
asked. A Telegram user whose shared number is already known (a hotline caller) becomes the
same person: one identity, every channel. What the person first asked is resumed afterwards.
"""

from __future__ import annotations

import re
from typing import Any

from dialogues import actions
from dialogues.messages import Choice, Expect
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
        phone = None
        if incoming.contact is not None:
            if incoming.contact.user_id not in (None, incoming.sender_id):
                turn.say("phone_invalid")  # someone else's card: not proof of this number
                turn.repeat_question()
                return
            phone = incoming.contact.phone
        elif incoming.text:
            phone = incoming.text
        if not phone:
            self._ask_phone(turn)
            return
        outcome = actions.link_shared_phone(turn, phone)
        if outcome == "invalid":
            turn.say("phone_invalid")
            turn.repeat_question()
            return
        if outcome == "taken":
            turn.say("phone_taken")
            actions.hand_over(turn, "identity_conflict")
            return
        if incoming.contact is None:
            # A typed number is not proven: kept, but unverified until an SMS code or a call.
            turn.set_slots(phone_verified=False)
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
        turn.ask_yes_no("address_readback", address=actions.address_line(found))

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
    understanding = turn.understanding
    person = understanding.entity("person") if understanding else None
    text = person if isinstance(person, str) and person.strip() else (turn.incoming.text or "")
    text = _INTRO.sub("", text, count=1).strip(" .,!?")
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    if not words or len(words) > 6:
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)[:120]


def _resume(turn: Turn) -> None:
    from dialogues.router import start_from_intent

    resume = dict(turn.state.get("resume") or {})
    turn.finish()
    turn.remember(resume={})
    start_from_intent(turn, resume.get("text"))
