"""Becoming a helper: services (several), how far, when. Diagram: become_helper.md."""

from __future__ import annotations

from typing import Any

from backend.people.models import SERVICES
from backend.people.schemas import AvailabilityIn, HelperProfileIn
from backend.people.service import set_helper_profile
from dialogues import actions
from dialogues.messages import Choice, Expect
from dialogues.turn import Turn
from dialogues.understanding import Understanding

NAME = "offer_help"
RADII = (("1", 1.0), ("2", 3.0), ("3", 5.0))
_DAY, _EVENING = (9 * 60, 18 * 60), (18 * 60, 21 * 60)
AVAILABILITY = {
    "weekday_days": [(d, *_DAY) for d in range(5)],
    "weekday_evenings": [(d, *_EVENING) for d in range(5)],
    "weekends": [(d, 9 * 60, 19 * 60) for d in (5, 6)],
    "any": [(d, 8 * 60, 21 * 60) for d in range(7)],
}


class BecomeHelperFlow:
    name = NAME

    def start(self, turn: Turn, understanding: Understanding | None = None, **_: Any) -> None:
        turn.goto(NAME, "services")
        first = understanding.service if understanding is not None else None
        turn.set_slots(services=[first] if first else [])
        turn.say("helper_intro")
        if first:
            turn.say("helper_service_added", service=turn.prompts.service(first))
        self._ask_services(turn)

    def handle(self, turn: Turn) -> None:
        getattr(self, f"on_{turn.step}")(turn)

    def on_services(self, turn: Turn) -> None:
        services = list(turn.slots.get("services") or [])
        choice = turn.incoming.choice or ""
        said = turn.understanding.service if turn.understanding is not None else None
        if choice == "services:done" or (turn.incoming.digits or "").startswith("#"):
            if not services:
                self._ask_services(turn)
                return
            turn.understood()
            self._ask_radius(turn)
            return
        service = choice[8:] if choice.startswith("service:") else said
        if service not in SERVICES:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        turn.understood()
        if service not in services:
            services.append(service)
        turn.set_slots(services=services)
        turn.say("helper_service_added", service=turn.prompts.service(service))
        self._ask_services(turn)

    def on_radius(self, turn: Turn) -> None:
        choice = turn.incoming.choice or ""
        radius = float(choice.split(":")[1]) if choice.startswith("radius:") else None
        if radius is None and turn.incoming.text:
            digits = "".join(c for c in turn.incoming.text if c.isdigit())
            radius = float(digits) if digits and 0 < int(digits) <= 50 else None
        if radius is None:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        turn.understood()
        turn.set_slots(radius_km=radius)
        turn.goto(NAME, "availability")
        p = turn.prompts
        turn.ask(
            "helper_ask_availability",
            Expect.choice,
            (
                Choice("avail:weekday_days", p.say("avail_weekday_days"), "1"),
                Choice("avail:weekday_evenings", p.say("avail_weekday_evenings"), "2"),
                Choice("avail:weekends", p.say("avail_weekends"), "3"),
                Choice("avail:any", p.say("avail_any"), "4"),
            ),
        )

    def on_availability(self, turn: Turn) -> None:
        choice = turn.incoming.choice or ""
        key = choice.split(":", 1)[1] if choice.startswith("avail:") else None
        if key not in AVAILABILITY:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        person = turn.person
        assert person is not None
        slots = turn.slots
        profile = set_helper_profile(
            turn.session,
            person,
            HelperProfileIn(
                services=slots["services"],
                radius_km=slots["radius_km"],
                languages=[person.language],
                availability=[
                    AvailabilityIn(weekday=d, start_minute=a, end_minute=b)
                    for d, a, b in AVAILABILITY[key]
                ],
            ),
        )
        turn.finish()
        turn.understood()
        names = ", ".join(turn.prompts.service(s) for s in profile.service_ids)
        turn.say("helper_registered", services=names, radius=f"{slots['radius_km']:g}")

    def _ask_services(self, turn: Turn) -> None:
        p = turn.prompts
        chosen = set(turn.slots.get("services") or [])
        choices = [Choice(f"service:{s}", p.service(s)) for s in SERVICES if s not in chosen]
        if chosen:
            choices.insert(0, Choice("services:done", p.say("helper_services_done"), "#"))
        turn.goto(NAME, "services")
        turn.ask("helper_ask_services", Expect.choice, choices)

    def _ask_radius(self, turn: Turn) -> None:
        turn.goto(NAME, "radius")
        turn.ask(
            "helper_ask_radius",
            Expect.choice,
            [Choice(f"radius:{km:g}", f"{km:g} km", key) for key, km in RADII],
        )
