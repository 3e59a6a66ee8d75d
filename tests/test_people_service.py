from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from backend.errors import Conflict, InvalidInput
from backend.people.models import ContactKind
from backend.people.phones import normalise_phone
from backend.people.service import add_contact, find_by_contact
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
