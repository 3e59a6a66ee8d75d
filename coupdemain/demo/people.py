"""Who lives in the demo: a pure function of the seed, so every seeding meets the same people.

Residents: a few elderly people with only a landline (the hotline's callers), a few
English speakers, and neighbours of every age. Helpers: 25, covering every service.
Phone numbers come from the blocks France reserves for fiction (Arcep): mobile 06 39 98,
landline 04 65 71 (the south-east) and 01 99 00.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from backend.people.models import SERVICES
from backend.people.phones import normalise_phone
from coupdemain.demo import names
from coupdemain.demo.places import CITY, STREETS

# Services that tend to go together for one helper (a handyman also moves furniture...).
AFFINITY: dict[str, tuple[str, ...]] = {
    "errands": ("meals", "companionship", "transport", "pet_care"),
    "diy": ("moving", "gardening", "tech_help"),
    "gardening": ("diy", "pet_care", "errands"),
    "moving": ("diy", "transport", "cleaning"),
    "childcare": ("tutoring", "pet_care", "meals"),
    "pet_care": ("gardening", "errands", "childcare"),
    "transport": ("errands", "companionship", "moving"),
    "tech_help": ("paperwork", "tutoring", "diy"),
    "paperwork": ("tech_help", "companionship", "tutoring"),
    "companionship": ("errands", "meals", "transport"),
    "cleaning": ("meals", "errands", "moving"),
    "meals": ("errands", "companionship", "cleaning"),
    "tutoring": ("childcare", "tech_help", "paperwork"),
}
WEEKDAYS = range(5)
AVAILABILITY: dict[str, tuple[tuple[int, int, int], ...]] = {
    "evenings": tuple((d, 18 * 60, 21 * 60) for d in WEEKDAYS),
    "mornings": tuple((d, 8 * 60, 12 * 60) for d in range(6)),
    "daytime": tuple((d, 9 * 60, 17 * 60) for d in WEEKDAYS),
    "weekend": ((5, 9 * 60, 19 * 60), (6, 10 * 60, 18 * 60)),
    "wednesday_saturday": ((2, 13 * 60, 18 * 60), (5, 9 * 60, 17 * 60)),
}
RADII = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0)


@dataclass(frozen=True)
class HelperPlan:
    services: tuple[str, ...]
    radius_km: float
    languages: tuple[str, ...]
    verified: bool
    availability: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class Home:
    street: str  # with the house number: "12 rue d'Austerlitz"
    postcode: str
    neighbourhood: str
    lat: float
    lon: float

    def one_line(self) -> str:
        return f"{self.street}, {self.postcode} {CITY}"


@dataclass(frozen=True)
class PersonPlan:
    key: str
    name: str
    persona: str  # elderly, english, neighbour, helper
    language: str
    phone: str  # E.164
    telegram_id: int | None
    home: Home
    helper: HelperPlan | None = None

    @property
    def hotline_caller(self) -> bool:
        """Only a landline and no Telegram: this person reaches us through the phone line."""
        return self.telegram_id is None and not self.phone.startswith(("+336", "+337"))


class _Draw:
    """Unique phone numbers, Telegram ids and doorsteps, drawn in a fixed order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.mobiles = iter(rng.sample(range(10000), 80))
        self.landlines = iter(rng.sample(range(10000), 20))
        self.telegram = iter(rng.sample(range(100, 200), 60))
        self.doors: set[tuple[str, int]] = set()

    def mobile(self) -> str:
        return normalise_phone(f"06 39 98 {next(self.mobiles):04d}")

    def landline(self, block: str = "04 65 71") -> str:
        return normalise_phone(f"{block} {next(self.landlines):04d}")

    def telegram_id(self) -> int:
        return 900_000_000 + next(self.telegram)

    def home(self) -> Home:
        while True:
            street = self.rng.choice(STREETS)
            number = self.rng.randint(*street.numbers)
            if (street.name, number) not in self.doors:
                break
        self.doors.add((street.name, number))
        lat, lon = street.point(number)
        # A few metres either way: two neighbours of one street are not on a ruler.
        lat += self.rng.uniform(-0.00012, 0.00012)
        lon += self.rng.uniform(-0.00012, 0.00012)
        return Home(
            f"{number} {street.name}",
            street.postcode,
            street.neighbourhood,
            round(lat, 6),
            round(lon, 6),
        )


def plan_people(rng: random.Random) -> tuple[list[PersonPlan], list[PersonPlan]]:
    """(residents, helpers), always the same for the same generator state."""
    draw = _Draw(rng)
    surnames = iter(rng.sample(names.SURNAMES, 58))
    firsts = iter(rng.sample(names.FIRST_NAMES, 51))
    en_names = iter(
        zip(rng.sample(names.EN_FIRST_NAMES, 7), rng.sample(names.EN_SURNAMES, 7), strict=True)
    )
    elderly_firsts = rng.sample(names.ELDERLY_WOMEN, 4) + rng.sample(names.ELDERLY_MEN, 3)
    rng.shuffle(elderly_firsts)

    residents: list[PersonPlan] = []

    def resident(name: str, persona: str, language: str, phone: str, telegram: bool) -> None:
        key = f"resident-{len(residents) + 1:02d}"
        tg = draw.telegram_id() if telegram else None
        residents.append(PersonPlan(key, name, persona, language, phone, tg, draw.home()))

    for i, first in enumerate(elderly_firsts):
        # Two kept an old number from elsewhere: since 2023 any landline works anywhere.
        phone = draw.landline("01 99 00" if i in (2, 5) else "04 65 71")
        resident(f"{first} {next(surnames)}", "elderly", "fr", phone, telegram=False)
    for i in range(4):
        first, last = next(en_names)
        resident(f"{first} {last}", "english", "en", draw.mobile(), telegram=i != 3)
    for i in range(29):
        resident(
            f"{next(firsts)} {next(surnames)}",
            "neighbour",
            "fr",
            draw.mobile(),
            telegram=i % 3 == 0,
        )

    return residents, _plan_helpers(rng, draw, firsts, surnames, en_names)


def _plan_helpers(
    rng: random.Random,
    draw: _Draw,
    firsts: Iterator[str],
    surnames: Iterator[str],
    en_names: Iterator[tuple[str, str]],
) -> list[PersonPlan]:
    first_services = list(SERVICES)
    rng.shuffle(first_services)
    unverified = set(
        rng.sample(range(13, 25), 4)
    )  # newcomers; every service keeps a verified helper
    sms_only = set(rng.sample(range(25), 3))
    bilingual = set(rng.sample(range(3, 25), 3))
    helpers: list[PersonPlan] = []
    for i in range(25):
        english = i < 3
        if english:
            first, last = next(en_names)
            name = f"{first} {last}"
        else:
            name = f"{next(firsts)} {next(surnames)}"
        main = first_services[i] if i < len(first_services) else rng.choice(SERVICES)
        extra = rng.sample(AFFINITY[main], rng.randint(0, 3))
        patterns = rng.sample(sorted(AVAILABILITY), rng.randint(1, 2))
        profile = HelperPlan(
            services=tuple(sorted({main, *extra})),
            radius_km=rng.choice(RADII),
            languages=("en", "fr") if english else (("fr", "en") if i in bilingual else ("fr",)),
            verified=i not in unverified,
            availability=tuple(slot for p in sorted(patterns) for slot in AVAILABILITY[p]),
        )
        telegram = None if i in sms_only else draw.telegram_id()
        helpers.append(
            PersonPlan(
                f"helper-{i + 1:02d}",
                name,
                "helper",
                "en" if english else "fr",
                draw.mobile(),
                telegram,
                draw.home(),
                helper=profile,
            )
        )
    return helpers
