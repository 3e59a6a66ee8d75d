from __future__ import annotations

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import Conflict, InvalidInput
from backend.matching.queries import reachable_helpers
from backend.people.models import ContactKind, HelperProfile, HelperService
from backend.people.phones import normalise_phone
from backend.people.schemas import AddressIn, HelperProfileIn
from backend.people.service import add_contact, find_by_contact, set_address, set_helper_profile
from tests.factories import make_helper, make_resident


def test_phone_numbers_are_stored_in_e164_whatever_the_spelling(session: Session) -> None:
    person = make_resident(session, "Jeanne Martin", phone="06 12 34 56 78")
    session.commit()
    assert person.contact(ContactKind.phone) == "+33612345678"
    assert find_by_contact(session, ContactKind.phone, "+33 6 12 34 56 78") is person
    assert find_by_contact(session, ContactKind.phone, "0033612345678") is person


def test_garbage_phone_is_refused_with_a_clear_message() -> None:
    with pytest.raises(InvalidInput, match="not a"):
        normalise_phone("bonjour")


def test_a_phone_cannot_belong_to_two_people(session: Session) -> None:
    make_resident(session, phone="0612345678")
    other = make_resident(session)
    with pytest.raises(Conflict):
        add_contact(session, other, ContactKind.phone, "+33612345678")


def test_telegram_and_phone_resolve_to_one_identity(session: Session) -> None:
    person = make_resident(session, phone="0612345678")
    add_contact(session, person, ContactKind.telegram, "424242", verified=True)
    session.commit()
    assert find_by_contact(session, ContactKind.telegram, "424242") is person
    assert find_by_contact(session, ContactKind.phone, "0612345678") is person


def test_helper_profile_copies_home_coordinates_for_the_prefilter(session: Session) -> None:
    helper = make_helper(session, services=["diy", "gardening"], lat=45.75, lon=4.85)
    session.commit()
    assert helper.helper_profile is not None
    assert (helper.helper_profile.lat, helper.helper_profile.lon) == (45.75, 4.85)
    assert helper.helper_profile.service_ids == ["diy", "gardening"]
    assert helper.has_role("helper")


def _copies(session: Session, person_id: int) -> dict[str, tuple[float, float, float]]:
    """What matching reads: helper_services' copies, straight from the database."""
    rows = session.execute(
        select(HelperService.service, HelperService.lat, HelperService.lon, HelperService.radius_km)
        .where(HelperService.person_id == person_id)
    )  # fmt: skip
    return {service: (lat, lon, radius) for service, lat, lon, radius in rows}


def _found(session: Session, service: str, lat: float, lon: float) -> set[int]:
    return {r.helper_id for r in reachable_helpers(session, service, lat, lon, 5.0)}


def test_helper_services_copies_follow_every_change_of_the_profile(session: Session) -> None:
    helper = make_helper(session, services=["diy", "gardening"], lat=45.75, lon=4.85, radius_km=2)
    profile = helper.helper_profile
    assert profile is not None
    session.commit()
    assert _copies(session, helper.id) == {
        "diy": (45.75, 4.85, 2.0), "gardening": (45.75, 4.85, 2.0)
    }  # fmt: skip

    # A move: the profile follows the new home, the copies follow the profile.
    set_address(session, helper, AddressIn(street="1 place Bellecour", lat=45.77, lon=4.83))
    session.commit()
    assert _copies(session, helper.id) == {
        "diy": (45.77, 4.83, 2.0), "gardening": (45.77, 4.83, 2.0)
    }  # fmt: skip
    assert helper.id in _found(session, "diy", 45.77, 4.83)
    assert helper.id not in _found(session, "diy", 45.75, 4.85)  # 2.7 km from the new home

    # New radius and services in one edit: kept, dropped and added services all agree.
    set_helper_profile(
        session, helper, HelperProfileIn(services=["gardening", "meals"], radius_km=4)
    )
    session.commit()
    assert _copies(session, helper.id) == {
        "gardening": (45.77, 4.83, 4.0), "meals": (45.77, 4.83, 4.0)
    }  # fmt: skip
    assert helper.id in _found(session, "meals", 45.75, 4.85)
    assert helper.id not in _found(session, "diy", 45.77, 4.83)

    # An address without coordinates changes nothing.
    set_address(session, helper, AddressIn(street="Quelque part"))
    session.commit()
    assert set(_copies(session, helper.id).values()) == {(45.77, 4.83, 4.0)}

    # Deactivation: `active` is not copied (matching reads it from the profile, for the few
    # helpers left after the index); the copies stay right and the helper is no longer found.
    profile.active = False
    session.commit()
    assert set(_copies(session, helper.id).values()) == {(45.77, 4.83, 4.0)}
    assert helper.id not in _found(session, "meals", 45.75, 4.85)
    profile.active = True
    session.commit()
    assert helper.id in _found(session, "meals", 45.75, 4.85)

    # Any other writer, even plain SQL outside the ORM, is followed by the database itself.
    session.execute(
        update(HelperProfile)
        .where(HelperProfile.person_id == helper.id)
        .values(lat=45.7, lon=4.9, radius_km=1.5)
    )
    session.commit()
    assert set(_copies(session, helper.id).values()) == {(45.7, 4.9, 1.5)}


def test_a_copy_that_disagrees_with_its_profile_is_refused(session: Session) -> None:
    helper = make_helper(session, services=["diy"], lat=45.75, lon=4.85)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(
            insert(HelperService).values(
                person_id=helper.id, service="meals", lat=45.0, lon=4.85, radius_km=5.0
            )
        )
    session.rollback()
    session.delete(helper)
    session.commit()
    assert _copies(session, helper.id) == {}
