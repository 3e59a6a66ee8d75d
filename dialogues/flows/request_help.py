"""Asking for help: service, time, place, details, payment; read back; then dispatch.

Diagram: request_help.md. Anything the first sentence already said ("des courses demain
matin") fills its slot and is not asked again. A correction ("non, plutôt jeudi") is taken at
any step: entities found in an answer update their slots, and the read-back is said again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from backend.people.models import SERVICES
from backend.requests.models import PayMode
from dialogues import actions
from dialogues.messages import Choice, Expect
from dialogues.said_back import said_back
from dialogues.turn import Turn
from dialogues.understanding import Understanding, yes_or_no
from dialogues.wording import PARIS, say_euros, say_window

NAME = "request_help"
# Keypad digits for the commonest services; the others are said aloud.
KEYPAD_SERVICES = (
    "errands",
    "diy",
    "transport",
    "companionship",
    "tech_help",
    "gardening",
    "pet_care",
    "paperwork",
)
# The phone reads at most four keypad options a menu (an 80-year-old keeps four in mind):
# the three commonest services, then "something else", which asks for it in words with a
# second short menu. Every other service is understood when said.
PHONE_MAX_KEYS = 4
PHONE_SERVICES = ("errands", "companionship", "transport")
PHONE_OTHER = "service:other"
PHONE_MORE_SERVICES = ("diy", "tech_help", "paperwork", "gardening")
# The part of the day keyed after the day (hours as dialogues.wording says them).
PARTS_OF_DAY = {"1": ("morning", 8, 12), "2": ("afternoon", 14, 18), "3": ("evening", 18, 21)}
_PART_WORDS = {
    "morning": ("matin", "morning"),
    "afternoon": ("midi", "afternoon"),
    "evening": ("soir", "evening", "night"),
}


class RequestHelpFlow:
    name = NAME

    def start(self, turn: Turn, understanding: Understanding | None = None, **_: Any) -> None:
        turn.goto(NAME, "service")
        if understanding is not None:
            apply_entities(turn, understanding)
        ask_next(turn)

    def handle(self, turn: Turn) -> None:
        step = turn.step or "service"
        handler = getattr(self, f"on_{step}")
        handler(turn)

    # ------------------------------------------------------------------ steps
    def on_service(self, turn: Turn) -> None:
        choice = turn.incoming.choice or ""
        on_phone = turn.incoming.channel == "voice"
        keyed = PHONE_SERVICES if on_phone else KEYPAD_SERVICES
        if choice == PHONE_OTHER or (on_phone and (turn.incoming.digits or "")[:1] == "4"):
            turn.understood()
            ask_service_other(turn)
            return
        _take_service(turn, keyed)

    def on_service_other(self, turn: Turn) -> None:
        """After "autre chose" on the phone: the need in words, or the second short menu."""
        _take_service(turn, PHONE_MORE_SERVICES)

    def on_time_part(self, turn: Turn) -> None:
        """The phone, after the day was keyed: morning, afternoon or evening (1, 2, 3)."""
        digit = (turn.incoming.digits or "")[:1]
        named = (turn.incoming.choice or "").removeprefix("part:")
        part = PARTS_OF_DAY.get(digit) or next(
            (p for p in PARTS_OF_DAY.values() if p[0] == named), None
        )
        if part is None and turn.incoming.text:
            folded = turn.incoming.text.lower()
            part = next(
                (p for p in PARTS_OF_DAY.values() if any(w in folded for w in _PART_WORDS[p[0]])),
                None,
            )
        if part is None:
            _missed(turn)
            return
        day = datetime.fromisoformat(turn.slots["day"]).astimezone(PARIS)
        start = day.replace(hour=part[1], minute=0, second=0, microsecond=0)
        end = day.replace(hour=part[2], minute=0, second=0, microsecond=0)
        if end <= turn.now:
            turn.set_slots(window=None, time_given=False, day=None)
            turn.goto(NAME, "time")
            turn.ask("time_in_past", Expect.text, _time_choices(turn))
            return
        turn.set_slots(window=[start.isoformat(), end.isoformat()], time_given=True, day=None)
        turn.understood()
        ask_next(turn)

    def on_time(self, turn: Turn) -> None:
        choice = turn.incoming.choice or ""
        digit = (turn.incoming.digits or "")[:1]
        today = turn.now.astimezone(PARIS)
        if choice == "time:asap" or digit == "3":
            turn.set_slots(window=None, time_given=True)
        elif turn.incoming.channel == "voice" and (
            choice in ("time:today", "time:tomorrow") or digit in ("1", "2")
        ):
            # The day was keyed: its part is keyed next (1 morning, 2 afternoon, 3 evening).
            tomorrow = choice == "time:tomorrow" or digit == "2"
            turn.set_slots(day=(today + timedelta(days=int(tomorrow))).isoformat())
            turn.understood()
            ask_time_part(turn)
            return
        elif choice == "time:today" or digit == "1":
            end = today.replace(hour=20, minute=0, second=0, microsecond=0)
            turn.set_slots(
                window=[turn.now.isoformat(), max(end, turn.now + timedelta(hours=2)).isoformat()],
                time_given=True,
            )
        elif choice == "time:tomorrow" or digit == "2":
            day = (today + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
            turn.set_slots(
                window=[day.isoformat(), day.replace(hour=20).isoformat()], time_given=True
            )
        elif turn.understanding is not None:
            apply_entities(turn, turn.understanding)
            if not turn.slots.get("time_given"):
                if turn.misunderstood():
                    actions.hand_over(turn, "misunderstood_twice")
                return
        else:
            _missed(turn)
            return
        if _in_past(turn):
            turn.set_slots(window=None, time_given=False)
            turn.ask("time_in_past", Expect.text, _time_choices(turn))
            return
        turn.understood()
        ask_next(turn)

    def on_place_home(self, turn: Turn) -> None:
        answer = yes_or_no(turn.incoming, turn.understanding)
        if answer is None and turn.understanding is not None and turn.understanding.entity("place"):
            answer = False
        if answer is None:
            _missed(turn)
            return
        turn.understood()
        if answer:
            turn.set_slots(place="home")
            ask_next(turn)
        else:
            turn.goto(NAME, "place_other")
            turn.ask("ask_place_other", Expect.location)

    def on_place_other(self, turn: Turn) -> None:
        if turn.incoming.location:
            loc = turn.incoming.location
            turn.set_slots(place={"text": "", "lat": loc.lat, "lon": loc.lon})
        elif turn.incoming.text and turn.incoming.text.strip():
            turn.set_slots(place=actions.place_from_words(turn, turn.incoming.text.strip()))
        else:
            _missed(turn)
            return
        turn.understood()
        ask_next(turn)

    def on_details(self, turn: Turn) -> None:
        if turn.incoming.choice == "skip" or turn.incoming.silence:
            turn.set_slots(details="")
        elif turn.incoming.text:
            turn.set_slots(details=turn.incoming.text.strip()[:1000])
        else:
            _missed(turn)
            return
        turn.understood()
        ask_next(turn)

    def on_pay(self, turn: Turn) -> None:
        choice = turn.incoming.choice or ""
        digit = (turn.incoming.digits or "")[:1]
        pay = {
            "pay:volunteer": PayMode.volunteer,
            "pay:cash": PayMode.cash,
            "pay:time_credits": PayMode.time_credits,
        }.get(choice)
        pay = pay or {"1": PayMode.volunteer, "2": PayMode.cash, "3": PayMode.time_credits}.get(
            digit
        )
        understanding = turn.understanding
        if pay is None and understanding is not None:
            price = understanding.entity("price")
            if isinstance(price, dict):
                pay = PayMode.volunteer if price.get("free") else PayMode.cash
                if not price.get("free") and isinstance(price.get("amount"), int):
                    turn.set_slots(price_cents=price["amount"])
            elif understanding.is_intent("deny", at_least=0.5):
                pay = PayMode.volunteer
        if pay is None:
            _missed(turn)
            return
        turn.set_slots(pay=str(pay))
        turn.understood()
        ask_next(turn)

    def on_price(self, turn: Turn) -> None:
        amount = None
        # Keyed in euros then "#" (Twilio keeps the "#" out of Digits; a simulator may not).
        keyed = (turn.incoming.digits or "").rstrip("#")
        if keyed.isdigit() and len(keyed) <= 5:
            amount = int(keyed) * 100
        elif turn.understanding is not None:
            amount = turn.understanding.price_cents
            if amount is None:
                amount = _bare_number(turn.incoming.text or "")
        if not amount:
            turn.say("price_not_understood")
            turn.repeat_question()
            return
        turn.set_slots(price_cents=amount)
        turn.understood()
        ask_next(turn)

    def on_confirm(self, turn: Turn) -> None:
        understanding = turn.understanding
        answer = yes_or_no(turn.incoming, understanding)
        corrected = understanding is not None and apply_entities(turn, understanding)
        if corrected:
            # "non, plutôt jeudi": the correction is the answer; read back again.
            turn.understood()
            ask_next(turn)
            return
        if answer is True:
            turn.understood()
            actions.create_and_dispatch(turn)
            return
        if answer is False:
            turn.understood()
            turn.goto(NAME, "what_to_change")
            p = turn.prompts
            turn.ask(
                "what_to_change",
                Expect.choice,
                (
                    Choice("change:time", p.say("change_time"), "1"),
                    Choice("change:place", p.say("change_place"), "2"),
                    Choice("change:service", p.say("change_service"), "3"),
                    Choice("change:abandon", p.say("change_abandon"), "4"),
                ),
            )
            return
        _missed(turn)

    def on_what_to_change(self, turn: Turn) -> None:
        choice = turn.incoming.choice or {
            "1": "change:time",
            "2": "change:place",
            "3": "change:service",
            "4": "change:abandon",
        }.get((turn.incoming.digits or "")[:1], "")
        understanding = turn.understanding
        if not choice and understanding is not None and apply_entities(turn, understanding):
            turn.understood()
            ask_next(turn)
            return
        if not choice and turn.incoming.text:
            choice = _change_from_words(turn.incoming.text)
        if choice == "change:abandon":
            turn.finish()
            turn.say("request_abandoned")
            return
        slot = {
            "change:time": "time_given",
            "change:place": "place",
            "change:service": "service",
        }.get(choice)
        if slot is None:
            _missed(turn)
            return
        turn.understood()
        turn.set_slots(**{slot: None})
        ask_next(turn)


# ---------------------------------------------------------------------- shared pieces
def apply_entities(turn: Turn, understanding: Understanding) -> bool:
    """Fill slots from what was said; True when something changed."""
    slots = turn.slots
    changes: dict[str, Any] = {}
    if understanding.service and understanding.service != slots.get("service"):
        changes["service"] = understanding.service
    window = understanding.window
    if window is not None:
        iso = [window[0].isoformat(), window[1].isoformat()]
        if iso != slots.get("window"):
            changes.update(window=iso, time_given=True)
    price = understanding.entity("price")
    if isinstance(price, dict):
        if price.get("free") and slots.get("pay") != PayMode.volunteer:
            changes.update(pay=str(PayMode.volunteer), price_cents=None)
        elif (
            isinstance(price.get("amount"), int)
            and price["amount"] > 0
            and price["amount"] != slots.get("price_cents")
        ):
            changes.update(pay=str(PayMode.cash), price_cents=price["amount"])
    place = understanding.entity("place")
    if isinstance(place, str) and place.strip():
        located = actions.place_from_words(turn, place.strip())
        if located != slots.get("place"):
            changes["place"] = located
    if changes:
        turn.set_slots(**changes)
    return bool(changes)


def ask_next(turn: Turn) -> None:
    slots = turn.slots
    p = turn.prompts
    if not slots.get("service"):
        turn.goto(NAME, "service")
        if turn.incoming.channel == "voice":
            ask_phone_service(turn)
            return
        services = [*KEYPAD_SERVICES, *(s for s in SERVICES if s not in KEYPAD_SERVICES)]
        turn.ask(
            "ask_service",
            Expect.choice,
            [
                Choice(
                    f"service:{s}",
                    capitalise(p.service(s)),
                    str(i + 1) if i < len(KEYPAD_SERVICES) else None,
                )
                for i, s in enumerate(services)
            ],
        )
    elif not slots.get("time_given"):
        turn.goto(NAME, "time")
        turn.ask("ask_time", Expect.text, _time_choices(turn))
    elif slots.get("place") is None:
        home = actions.home_line(turn)
        if home:
            turn.goto(NAME, "place_home")
            turn.ask_yes_no("ask_place_home", address=home)
        else:
            turn.goto(NAME, "place_other")
            turn.ask("ask_place_other", Expect.location)
    elif "details" not in slots:
        turn.goto(NAME, "details")
        turn.ask("ask_details", Expect.text, (Choice("skip", p.say("skip"), "#"),))
    elif not slots.get("pay"):
        turn.goto(NAME, "pay")
        turn.ask(
            "ask_pay",
            Expect.choice,
            (
                Choice("pay:volunteer", p.say("pay_volunteer"), "1"),
                Choice("pay:cash", p.say("pay_cash"), "2"),
                Choice("pay:time_credits", p.say("pay_time_credits"), "3"),
            ),
        )
    elif slots["pay"] == PayMode.cash and not slots.get("price_cents"):
        turn.goto(NAME, "price")
        on_phone = turn.incoming.channel == "voice"
        turn.ask("voice.ask_price" if on_phone else "ask_price", Expect.text)
    else:
        turn.goto(NAME, "confirm")
        turn.ask_yes_no("readback", **readback_values(turn))


def ask_phone_service(turn: Turn) -> None:
    """Four keys (three services and "autre chose"); every service is a speech hint."""
    p = turn.prompts
    keyed = [
        Choice(f"service:{s}", capitalise(p.service(s)), str(i + 1))
        for i, s in enumerate(PHONE_SERVICES)
    ]
    keyed.append(Choice(PHONE_OTHER, p.say("voice.service_other"), str(len(keyed) + 1)))
    said = [Choice(f"service:{s}", p.service(s)) for s in SERVICES if s not in PHONE_SERVICES]
    turn.ask("voice.ask_service", Expect.choice, [*keyed, *said])


def ask_service_other(turn: Turn) -> None:
    p = turn.prompts
    turn.goto(NAME, "service_other")
    keyed = [
        Choice(f"service:{s}", capitalise(p.service(s)), str(i + 1))
        for i, s in enumerate(PHONE_MORE_SERVICES)
    ]
    said = [Choice(f"service:{s}", p.service(s)) for s in SERVICES if s not in PHONE_MORE_SERVICES]
    turn.ask("voice.ask_service_words", Expect.choice, [*keyed, *said])


def ask_time_part(turn: Turn) -> None:
    p = turn.prompts
    turn.goto(NAME, "time_part")
    turn.ask(
        "voice.ask_time_part",
        Expect.choice,
        [
            Choice(f"part:{name}", p.say(f"voice.part_{name}"), key)
            for key, (name, _, _) in PARTS_OF_DAY.items()
        ],
    )


def readback_values(turn: Turn) -> dict[str, str]:
    slots, p = turn.slots, turn.prompts
    window = slots.get("window")
    start, end = (
        (datetime.fromisoformat(window[0]), datetime.fromisoformat(window[1]))
        if window
        else (None, None)
    )
    place = slots.get("place")
    if place == "home":
        where = p.say("place_at", address=actions.home_line(turn) or "")
    elif isinstance(place, dict) and said_back(place.get("text") or "", turn.language):
        where = p.say("place_at", address=said_back(place["text"], turn.language))
    else:
        where = p.say("place_unknown")
    pay = slots.get("pay")
    if pay == PayMode.cash:
        money = p.say(
            "readback_pay_cash", price=say_euros(int(slots.get("price_cents") or 0), turn.language)
        )
    elif pay == PayMode.time_credits:
        money = p.say("readback_pay_time_credits")
    else:
        money = p.say("readback_pay_volunteer")
    # Read back without "euh", "(banque de temps)"...; the slots keep the words as said.
    money = said_back(money, turn.language)
    details = said_back(slots.get("details") or "", turn.language)
    if details:
        money += ". " + p.say("readback_details", details=details).rstrip(".")
    return {
        "service": capitalise(p.service(slots.get("service"))),
        "when": say_window(start, end, turn.now, turn.language),
        "place": where,
        "pay": money,
    }


def _time_choices(turn: Turn) -> tuple[Choice, ...]:
    p = turn.prompts
    return (
        Choice("time:today", p.say("time_today"), "1"),
        Choice("time:tomorrow", p.say("time_tomorrow"), "2"),
        Choice("time:asap", p.say("time_asap"), "3"),
    )


def _in_past(turn: Turn) -> bool:
    window: list[str] | None = turn.slots.get("window")
    if not window:
        return False
    return datetime.fromisoformat(window[1]) <= turn.now


def _missed(turn: Turn) -> None:
    if turn.misunderstood():
        actions.hand_over(turn, "misunderstood_twice")


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _bare_number(text: str) -> int | None:
    digits = "".join(c for c in text if c.isdigit())
    return int(digits) * 100 if digits and len(digits) <= 5 else None


def _change_from_words(text: str) -> str:
    folded = text.lower()
    for choice, words in {
        "change:time": ("moment", "heure", "jour", "date", "quand", "time", "day", "when"),
        "change:place": ("adresse", "lieu", "endroit", "address", "place", "where"),
        "change:service": ("service", "besoin", "need"),
        "change:abandon": ("abandon", "annul", "laisse", "cancel", "drop", "forget"),
    }.items():
        if any(w in folded for w in words):
            return choice
    return ""


def _take_service(turn: Turn, keyed: Sequence[str]) -> None:
    """The service from a button, a key of the menu just read (`keyed`, 1-based) or words."""
    choice = turn.incoming.choice or ""
    digit = (turn.incoming.digits or "")[:1]
    service = None
    if choice.startswith("service:") and choice[8:] in SERVICES:
        service = choice[8:]
    elif digit.isdigit():
        index = int(digit) - 1
        service = keyed[index] if 0 <= index < len(keyed) else None
    elif turn.understanding is not None:
        apply_entities(turn, turn.understanding)
        service = turn.slots.get("service")
    if service is None:
        _missed(turn)
        return
    turn.set_slots(service=service)
    turn.understood()
    ask_next(turn)
