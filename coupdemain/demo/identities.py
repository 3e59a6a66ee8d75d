"""The demo's identities as users need them: who to call or message as, and the staff logins.

`demo_identities()` needs no database: it is computed from the seed, like the seeding itself.
"""

from __future__ import annotations

import random

from pydantic import BaseModel, Field

from backend.people.phones import spoken_phone
from coupdemain.demo.people import PersonPlan, plan_people

SEED = 2026


class DemoPhone(BaseModel):
    e164: str = Field(examples=["+33639981469"])
    national: str = Field(description="as a French caller says it", examples=["06 39 98 14 69"])


class DemoPerson(BaseModel):
    key: str = Field(description="stable handle: resident-01..., helper-01...")
    name: str
    roles: list[str]
    phone: DemoPhone
    telegram_id: int | None
    address: str
    neighbourhood: str
    services: list[str]
    language: str
    languages: list[str]
    hotline_caller: bool = Field(description="landline only, no Telegram: calls the hotline")
    verified: bool | None = Field(default=None, description="helpers: checked by a dispatcher")
    radius_km: float | None = None


class DemoLogin(BaseModel):
    name: str
    login: str
    password: str


class DemoIdentities(BaseModel):
    place: str = "La Croix-Rousse, Lyon"
    residents: list[DemoPerson]
    helpers: list[DemoPerson]
    dispatcher: DemoLogin
    admin: DemoLogin


# Demo-only passwords, printed at start: never use these anywhere real.
DISPATCHER = DemoLogin(name="Claire Vasseur", login="dispatch", password="croix-rousse-2026")
ADMIN = DemoLogin(name="Alain Roche", login="admin", password="admin-croix-rousse-2026")


def demo_rng() -> random.Random:
    return random.Random(SEED)


def identity(plan: PersonPlan) -> DemoPerson:
    helper = plan.helper
    return DemoPerson(
        key=plan.key,
        name=plan.name,
        roles=["helper", "resident"] if helper else ["resident"],
        phone=DemoPhone(e164=plan.phone, national=spoken_phone(plan.phone)),
        telegram_id=plan.telegram_id,
        address=plan.home.one_line(),
        neighbourhood=plan.home.neighbourhood,
        services=list(helper.services) if helper else [],
        language=plan.language,
        languages=list(helper.languages) if helper else [plan.language],
        hotline_caller=plan.hotline_caller,
        verified=helper.verified if helper else None,
        radius_km=helper.radius_km if helper else None,
    )


def identities_of(residents: list[PersonPlan], helpers: list[PersonPlan]) -> DemoIdentities:
    return DemoIdentities(
        residents=[identity(p) for p in residents],
        helpers=[identity(p) for p in helpers],
        dispatcher=DISPATCHER,
        admin=ADMIN,
    )


def demo_identities() -> DemoIdentities:
    """Who is in the demo, without touching a database (the same people seed_demo creates)."""
    return identities_of(*plan_people(demo_rng()))
