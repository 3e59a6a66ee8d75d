"""The demo seeding, read back: seeded once per database for this module, the tests only read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

import backend.models  # noqa: F401  (every table)
from backend.auth.service import authenticate
from backend.db import Base, make_engine, make_session_factory, transaction
from backend.geo import haversine_km
from backend.listings.models import Listing, ListingKind
from backend.listings.service import list_nearby
from backend.people.models import SERVICES, ContactKind, HelperProfile, Person, Role
from backend.people.service import find_by_contact
from backend.requests.models import HelpRequest, RequestStatus
from backend.trust.models import Rating, Report
from coupdemain.demo import DemoIdentities, DemoPerson, DemoRefused, demo_identities, seed_demo
from coupdemain.demo.places import CENTRE

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@dataclass
class Seeded:
    engine: Engine
    factory: sessionmaker[Session]
    identities: DemoIdentities


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("demo") / "demo.db"
        engine = make_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
    else:
        engine = request.getfixturevalue("_pg_engine")  # the session's throw-away database
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            identities = seed_demo(session, now=NOW)
        yield Seeded(engine, factory, identities)
    finally:
        if request.param == "sqlite":
            engine.dispose()
        else:  # leave the shared test database empty, as the other tests expect
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def demo_session(seeded: Seeded) -> Iterator[Session]:
    with seeded.factory() as session:
        yield session
        session.rollback()


def _stored(session: Session, expected: DemoPerson) -> DemoPerson:
    """The same fields as a DemoPerson, read back from what the database holds."""
    person = find_by_contact(session, ContactKind.phone, expected.phone.e164)
    assert person is not None, expected.name
    home = person.primary_address
    assert home is not None
    profile = person.helper_profile
    telegram = person.contact(ContactKind.telegram)
    return expected.model_copy(
        update={
            "name": person.display_name,
            "roles": sorted(person.role_names),
            "telegram_id": int(telegram) if telegram else None,
            "address": home.one_line(),
            "neighbourhood": home.neighbourhood,
            "services": profile.service_ids if profile else [],
            "language": person.language,
            "languages": list(profile.languages) if profile else [person.language],
            "verified": profile.verified_at is not None if profile else None,
            "radius_km": profile.radius_km if profile else None,
        }
    )


def test_demo_identities_equal_what_was_stored(seeded: Seeded, demo_session: Session) -> None:
    assert seeded.identities == demo_identities()
    for expected in seeded.identities.residents + seeded.identities.helpers:
        assert _stored(demo_session, expected) == expected


def test_two_seedings_into_fresh_databases_meet_the_same_people(
    seeded: Seeded, demo_session: Session, tmp_path: object
) -> None:
    first = seeded.identities
    other: Engine = make_engine(f"sqlite:///{tmp_path}/other.db")
    Base.metadata.create_all(other)
    try:
        # A later clock changes timestamps, never who is who.
        with transaction(make_session_factory(other)) as s:
            second = seed_demo(s, now=NOW + timedelta(days=40, hours=5))
        with make_session_factory(other)() as s:
            names = sorted(s.scalars(select(Person.display_name)))
    finally:
        other.dispose()
    assert first == second
    assert names == sorted(demo_session.scalars(select(Person.display_name)))


def test_counts_roles_and_the_hotline_callers() -> None:
    identities = demo_identities()
    assert len(identities.residents) == 40
    assert len(identities.helpers) == 25
    everyone = identities.residents + identities.helpers
    assert len({p.name for p in everyone}) == len(everyone)
    assert len({p.phone.e164 for p in everyone}) == len(everyone)
    callers = [p for p in identities.residents if p.hotline_caller]
    assert 4 <= len(callers) <= 10
    assert all(p.telegram_id is None and not p.phone.national.startswith("06") for p in callers)
    with_telegram = [p for p in everyone if p.telegram_id is not None]
    assert 0.4 <= len(with_telegram) / len(everyone) <= 0.6
    assert any(p.language == "en" for p in identities.residents)
    assert all(
        1 <= len(h.services) <= 4 and 1 <= (h.radius_km or 0) <= 5 for h in identities.helpers
    )


def test_only_fiction_phone_numbers() -> None:
    blocks = ("06 39 98", "04 65 71", "01 99 00")
    for person in demo_identities().residents + demo_identities().helpers:
        assert person.phone.national.startswith(blocks), person.phone
        assert person.phone.e164.startswith("+33")


def test_every_service_has_a_verified_helper(demo_session: Session) -> None:
    profiles = demo_session.scalars(
        select(HelperProfile).where(HelperProfile.verified_at.is_not(None))
    )
    covered = {s for p in profiles for s in p.service_ids}
    assert covered == set(SERVICES)


def test_everyone_lives_on_the_croix_rousse() -> None:
    identities = demo_identities()
    for person in identities.residents + identities.helpers:
        assert person.neighbourhood in {"Plateau", "Pentes", "Saint-Clair", "Hénon"}
        assert person.address.endswith(("69004 Lyon", "69001 Lyon"))


def test_homes_are_within_a_short_walk_of_the_centre(demo_session: Session) -> None:
    for person in demo_session.scalars(select(Person)):
        home = person.primary_address
        if home is None:  # staff
            assert person.has_role(Role.dispatcher, Role.admin)
            continue
        assert home.lat is not None and home.lon is not None
        assert haversine_km(*CENTRE, home.lat, home.lon) <= 1.2, home.street


def test_the_dispatcher_can_log_in(seeded: Seeded, demo_session: Session) -> None:
    staff = seeded.identities
    dispatcher = authenticate(demo_session, staff.dispatcher.login, staff.dispatcher.password)
    assert dispatcher is not None and dispatcher.has_role(Role.dispatcher)
    admin = authenticate(demo_session, staff.admin.login, staff.admin.password)
    assert admin is not None and admin.has_role(Role.admin)


def test_eight_weeks_of_history_with_ratings_and_one_flag(demo_session: Session) -> None:
    session = demo_session
    requests = list(session.scalars(select(HelpRequest)))
    by_status = {s: [r for r in requests if r.status == s] for s in RequestStatus}
    assert len(by_status[RequestStatus.done]) >= 20
    assert len(by_status[RequestStatus.cancelled]) == 2
    assert len(by_status[RequestStatus.open]) == 1
    assert all(r.helper_id is not None for r in by_status[RequestStatus.done])
    assert all(NOW - timedelta(weeks=9) <= r.created_at <= NOW for r in requests)
    assert all(r.completed_at and r.completed_at < NOW for r in by_status[RequestStatus.done])
    flagged = [r for r in requests if r.needs_dispatcher]
    assert len(flagged) == 1 and flagged[0].status == RequestStatus.assigned
    assert session.scalar(select(func.count()).select_from(Report)) == 1

    stars = list(session.scalars(select(Rating.stars)))
    assert len(stars) >= 20
    assert sum(s >= 4 for s in stars) / len(stars) >= 0.75
    assert any(s <= 3 for s in stars)


def test_listings_of_every_kind_are_live(demo_session: Session) -> None:
    session = demo_session
    hits, total = list_nearby(session, now=NOW, near=CENTRE, radius_km=2, limit=100)
    assert {h.listing.kind for h in hits} == set(ListingKind)
    assert total == session.scalar(select(func.count()).select_from(Listing)) - 1  # one closed


def test_seeding_a_database_with_people_is_refused(demo_session: Session) -> None:
    with pytest.raises(DemoRefused, match="base vide"):
        seed_demo(demo_session, now=NOW)


def test_identities_are_json_for_the_cli() -> None:
    identities = demo_identities()
    again = DemoIdentities.model_validate_json(identities.model_dump_json())
    assert again == identities
    assert identities.dispatcher.login == "dispatch"


def test_the_console_opens_on_conversations_to_supervise(demo_session: Session) -> None:
    from backend.conversations.service import by_urgency

    items, total = by_urgency(demo_session, limit=10)
    assert total == 3
    assert [(i.conversation.channel, i.conversation.flags) for i in items] == [
        ("telegram", ["asked_for_human"]),
        ("voice", ["dropped_call"]),
        ("telegram", []),
    ]
    assert all(i.person_name and i.last_message for i in items)


def test_neighbours_with_a_verified_address_can_vouch_in_the_demo(demo_session: Session) -> None:
    from backend.people.models import Person
    from backend.trust.vouches import eligible_vouchers

    unverified = [
        p for p in demo_session.scalars(select(Person))
        if p.primary_address is not None and p.primary_address.verified_at is None
    ]  # fmt: skip
    assert unverified
    can_be_vouched = [p for p in unverified if eligible_vouchers(demo_session, p.id)]
    assert len(can_be_vouched) >= len(unverified) // 2


def test_one_hold_waits_for_a_dispatcher(demo_session: Session) -> None:
    from backend.ledger.overview import pending_holds

    (waiting,) = pending_holds(demo_session)
    assert waiting.amount == 90 and "soutien scolaire" in waiting.memo
