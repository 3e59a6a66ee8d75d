"""Becoming a helper: services (several), how far, when. Diagram: become_helper.md.

On the phone every step has keys, so a caller who only presses keys can sign up: the services
come three at a time with "D'autres services" on 4 (the last page goes back to the first),
at most four keys a menu as in request_help, and every service is understood when said.
After each service, "Voulez-vous ajouter un autre service ?" (1 oui, 2 non).
"""

from __future__ import annotations

from typing import Any

from backend.people.models import SERVICES
from backend.people.schemas import AvailabilityIn, HelperProfileIn
from backend.people.service import set_helper_profile
from dialogues import actions
from dialogues.flows.request_help import PHONE_MORE_SERVICES, PHONE_SERVICES, capitalise
from dialogues.messages import Choice, Expect
from dialogues.turn import Turn
from dialogues.understanding import Understanding, yes_or_no

NAME = "offer_help"
RADII = (("1", 1.0), ("2", 3.0), ("3", 5.0))
_DAY, _EVENING = (9 * 60, 18 * 60), (18 * 60, 21 * 60)
AVAILABILITY = {
    "weekday_days": [(d, *_DAY) for d in range(5)],
    "weekday_evenings": [(d, *_EVENING) for d in range(5)],
    "weekends": [(d, 9 * 60, 19 * 60) for d in (5, 6)],
    "any": [(d, 8 * 60, 21 * 60) for d in range(7)],
}
# The phone's order: the commonest first, as the request menus read them.
PHONE_ORDER = (
    *PHONE_SERVICES,
    *PHONE_MORE_SERVICES,
    *(s for s in SERVICES if s not in (*PHONE_SERVICES, *PHONE_MORE_SERVICES)),
)
PHONE_PAGE = 3  # services a page; key 4 is the next page
MORE = "services:more"


class BecomeHelperFlow:
    name = NAME

    def start(self, turn: Turn, understanding: Understanding | None = None, **_: Any) -> None:
        turn.goto(NAME, "services")
        first = understanding.service if understanding is not None else None
        turn.set_slots(services=[first] if first else [])
        turn.say("helper_intro")
        if first:
            turn.say("helper_service_added", service=turn.prompts.service(first))
            if _on_phone(turn):
                _ask_another(turn)
                return
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
        if choice == MORE:
            turn.understood()
            _ask_phone_services(turn, int(turn.slots.get("page") or 0) + 1)
            return
        service = choice[8:] if choice.startswith("service:") else said
        if service not in SERVICES:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        self._add(turn, service)

    def on_another(self, turn: Turn) -> None:
        """The phone, after a service: another one (1, or named), or that is all (2, #)."""
        said = turn.understanding.service if turn.understanding is not None else None
        if said in SERVICES and turn.incoming.choice not in ("yes", "no"):
            self._add(turn, said)
            return
        keyed = (turn.incoming.digits or "").startswith("#")
        answer = False if keyed else yes_or_no(turn.incoming, turn.understanding)
        if answer is None:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        turn.understood()
        if answer:
            _ask_phone_services(turn, 0)
        else:
            self._ask_radius(turn)

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

    def _add(self, turn: Turn, service: str) -> None:
        turn.understood()
        services = list(turn.slots.get("services") or [])
        if service not in services:
            services.append(service)
        turn.set_slots(services=services)
        turn.say("helper_service_added", service=turn.prompts.service(service))
        if not _on_phone(turn):
            self._ask_services(turn)
        elif len(services) == len(SERVICES):
            self._ask_radius(turn)  # nothing left to add
        else:
            _ask_another(turn)

    def _ask_services(self, turn: Turn) -> None:
        if _on_phone(turn):
            _ask_phone_services(turn, 0)
            return
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


def _on_phone(turn: Turn) -> bool:
    return turn.incoming.channel == "voice"


def _ask_another(turn: Turn) -> None:
    turn.goto(NAME, "another")
    turn.ask_yes_no("voice.helper_ask_another")


def _ask_phone_services(turn: Turn, page: int) -> None:
    """Three services not chosen yet on keys 1 to 3, and 4 for the next page (the last one
    goes back to the first); the others are speech hints, understood when said."""
    p = turn.prompts
    chosen = set(turn.slots.get("services") or [])
    left = [s for s in PHONE_ORDER if s not in chosen]
    pages = [left[i : i + PHONE_PAGE] for i in range(0, len(left), PHONE_PAGE)] or [[]]
    page %= len(pages)
    shown = pages[page]
    keyed = [
        Choice(f"service:{s}", capitalise(p.service(s)), str(i + 1)) for i, s in enumerate(shown)
    ]
    if len(pages) > 1:
        last = page == len(pages) - 1
        more = p.say("voice.helper_first_services" if last else "voice.helper_more_services")
        keyed.append(Choice(MORE, more, str(PHONE_PAGE + 1)))
    said = [Choice(f"service:{s}", p.service(s)) for s in left if s not in shown]
    turn.goto(NAME, "services")
    turn.set_slots(page=page)
    question = "voice.helper_ask_services" if page == 0 else "voice.helper_ask_services_more"
    turn.ask(question, Expect.choice, [*keyed, *said])
