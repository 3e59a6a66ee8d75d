"""What happened in the demo neighbourhood over the last eight weeks: a plan of past jobs,
drawn from the seed after the people, so it is the same at every seeding.

Times are offsets (days ago, local hour): the seeding places them relative to its `now`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from backend.geo import haversine_km
from backend.requests.models import PayMode
from coupdemain.demo.people import PersonPlan
from coupdemain.demo.texts import (
    DETAILS_EN,
    DETAILS_FR,
    REVIEWS_EN,
    REVIEWS_FR,
    SAFETY_WORDS,
    THANKS_FROM_HELPERS,
)


class Outcome(StrEnum):
    done = "done"
    cancelled_before_assignment = "cancelled_before_assignment"
    cancelled_after_assignment = "cancelled_after_assignment"
    open = "open"  # waiting for a helper right now
    no_show = "no_show"  # assigned, the helper never came, the requester reported it


@dataclass(frozen=True)
class JobPlan:
    requester: str  # a PersonPlan key
    helper: str | None
    service: str
    details: str
    language: str
    channel: str
    outcome: Outcome
    days_ago: int  # the day of the job (negative: in the future)
    hour: int  # local start hour
    duration_minutes: int
    pay_mode: PayMode = PayMode.volunteer
    price_cents: int | None = None
    safety_word: str | None = None
    stars_for_helper: int | None = None
    review: str = ""
    stars_for_requester: int | None = None
    thanks: str = ""


PERSONA_SERVICES: dict[str, tuple[str, ...]] = {
    "elderly": (
        "errands", "companionship", "tech_help", "paperwork", "transport", "meals", "diy",
        "cleaning", "gardening",
    ),
    "english": ("errands", "paperwork", "tech_help", "moving", "pet_care", "tutoring", "diy"),
    "neighbour": (
        "moving", "diy", "pet_care", "childcare", "tutoring", "gardening", "errands", "tech_help",
    ),
}  # fmt: skip
DURATION = {
    "errands": 60, "diy": 90, "gardening": 120, "moving": 180, "childcare": 150, "pet_care": 45,
    "transport": 120, "tech_help": 60, "paperwork": 60, "companionship": 90, "cleaning": 120,
    "meals": 60, "tutoring": 60,
}  # fmt: skip
DONE_JOBS = 30


def plan_jobs(
    rng: random.Random, residents: list[PersonPlan], helpers: list[PersonPlan]
) -> list[JobPlan]:
    chooser = _HelperChooser(rng, helpers)
    by_persona = {p: [r for r in residents if r.persona == p] for p in PERSONA_SERVICES}
    jobs = []
    for i in range(DONE_JOBS):
        persona = rng.choices(("elderly", "english", "neighbour"), weights=(55, 15, 30))[0]
        requester = rng.choice(by_persona[persona])
        days_ago = 56 - (i * 54) // DONE_JOBS - rng.randint(0, 1)  # oldest first, ~4 a week
        jobs.append(_job(rng, chooser, requester, Outcome.done, days_ago))
    elderly = by_persona["elderly"]
    neighbours = by_persona["neighbour"]
    jobs.append(_job(rng, chooser, rng.choice(neighbours), Outcome.cancelled_before_assignment, 12))
    jobs.append(_job(rng, chooser, rng.choice(elderly), Outcome.cancelled_after_assignment, 25))
    jobs.append(_job(rng, chooser, elderly[1], Outcome.no_show, 1, "transport", hour=14))
    jobs.append(_job(rng, chooser, elderly[0], Outcome.open, -1, service="errands"))
    return jobs


def _job(
    rng: random.Random,
    chooser: _HelperChooser,
    requester: PersonPlan,
    outcome: Outcome,
    days_ago: int,
    service: str | None = None,
    hour: int | None = None,
) -> JobPlan:
    english = requester.language == "en"
    services = PERSONA_SERVICES[requester.persona]
    if english:
        services = tuple(s for s in services if s in DETAILS_EN)
    service = service or rng.choice(services)
    details = rng.choice((DETAILS_EN if english else DETAILS_FR)[service])
    assigned = outcome not in (Outcome.open, Outcome.cancelled_before_assignment)
    helper = chooser.choose(requester, service) if assigned else None
    pay_mode, price = _payment(rng, service)
    stars = rng.choices((5, 4, 3, 2), weights=(50, 32, 12, 6))[0]
    rated = outcome == Outcome.done and rng.random() < 0.9
    rated_back = outcome == Outcome.done and rng.random() < 0.5
    return JobPlan(
        requester=requester.key,
        helper=helper.key if helper else None,
        service=service,
        details=details,
        language=requester.language,
        channel="voice"
        if requester.hotline_caller
        else rng.choice(("telegram", "telegram", "sms")),
        outcome=outcome,
        days_ago=days_ago,
        hour=rng.choice((9, 10, 11, 14, 15, 16, 17)) if hour is None else hour,
        duration_minutes=DURATION[service],
        pay_mode=pay_mode,
        price_cents=price,
        safety_word=rng.choice(SAFETY_WORDS) if assigned else None,
        stars_for_helper=stars if rated else None,
        review=rng.choice((REVIEWS_EN if english else REVIEWS_FR)[stars]) if rated else "",
        stars_for_requester=rng.choice((5, 5, 4)) if rated_back else None,
        thanks=rng.choice(THANKS_FROM_HELPERS) if rated_back else "",
    )


def _payment(rng: random.Random, service: str) -> tuple[PayMode, int | None]:
    """Most help is free; heavy or skilled jobs are sometimes paid cash or in time credits."""
    roll = rng.random()
    if service in ("moving", "diy", "cleaning") and roll < 0.5:
        return PayMode.cash, rng.choice((1500, 2000, 2500, 3000, 4000))
    if service in ("tutoring", "childcare") and roll < 0.6:
        return PayMode.time_credits, None
    return PayMode.volunteer, None


class _HelperChooser:
    """A verified helper offering the service, near the requester; an elderly person keeps the
    helper they already know for the same kind of help (that is how trust grows)."""

    def __init__(self, rng: random.Random, helpers: list[PersonPlan]) -> None:
        self.rng = rng
        self.helpers = [h for h in helpers if h.helper and h.helper.verified]
        self.usual: dict[tuple[str, str], PersonPlan] = {}

    def choose(self, requester: PersonPlan, service: str) -> PersonPlan:
        known = self.usual.get((requester.key, service))
        if known is not None and self.rng.random() < 0.75:
            return known
        able = [h for h in self.helpers if h.helper and service in h.helper.services]
        if requester.language == "en":
            able = [h for h in able if h.helper and "en" in h.helper.languages] or able
        able.sort(key=lambda h: self._distance(requester, h))
        chosen = self.rng.choice(able[:3])
        self.usual.setdefault((requester.key, service), chosen)
        return chosen

    @staticmethod
    def _distance(a: PersonPlan, b: PersonPlan) -> float:
        return haversine_km(a.home.lat, a.home.lon, b.home.lat, b.home.lon)
