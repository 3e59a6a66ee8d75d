"""Vouching by verified neighbours, and the second vouch verifying an address."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from backend.errors import Conflict, InvalidInput
from backend.people.models import Person, PersonStatus, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from backend.trust.vouches import eligible_vouchers, vouch, vouches_for
from tests.factories import CENTRE, make_resident

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
# About 2.2 km north of CENTRE: too far, unless in the same neighbourhood.
FAR = (CENTRE[0] + 0.02, CENTRE[1])


def _dispatcher(session: Session) -> Person:
    return create_person(session, PersonCreate(display_name="Dispatch", roles=[Role.dispatcher]))


def _verified_neighbour(
    session: Session, name: str, *, at: tuple[float, float] = CENTRE, neighbourhood: str = ""
) -> Person:
    person = make_resident(session, name, lat=at[0], lon=at[1])
    home = person.addresses[0]
    home.verified_at, home.neighbourhood = NOW, neighbourhood
    session.flush()
    return person


def test_two_vouches_from_verified_neighbours_verify_the_address(session: Session) -> None:
    jeanne, desk = make_resident(session, "Jeanne Martin"), _dispatcher(session)
    paul = _verified_neighbour(session, "Paul Roux")
    lucie = _verified_neighbour(session, "Lucie Bon")

    vouch(session, jeanne.id, paul.id, recorded_by=desk.id, note="voisin de palier", now=NOW)
    assert jeanne.primary_address is not None and jeanne.primary_address.verified_at is None
    vouch(session, jeanne.id, lucie.id, recorded_by=desk.id)

    assert jeanne.primary_address.verified_at is not None
    given = vouches_for(session, jeanne.id)
    assert [v.voucher_name for v in given] == ["Lucie Bon", "Paul Roux"]
    assert given[1].note == "voisin de palier" and given[1].created_at == NOW
    assert all(v.current_address for v in given)


def test_nobody_vouches_for_themselves(session: Session) -> None:
    paul, desk = _verified_neighbour(session, "Paul"), _dispatcher(session)
    with pytest.raises(InvalidInput) as refused:
        vouch(session, paul.id, paul.id, recorded_by=desk.id)
    assert refused.value.details["reason"] == "self"


def test_a_neighbour_far_away_cannot_vouch_unless_same_neighbourhood(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    far = _verified_neighbour(session, "Loin", at=FAR)
    with pytest.raises(InvalidInput) as refused:
        vouch(session, jeanne.id, far.id, recorded_by=desk.id)
    assert refused.value.details["reason"] == "too_far"

    jeanne.addresses[0].neighbourhood = "Croix-Rousse"
    same_quarter = _verified_neighbour(
        session, "Même quartier", at=FAR, neighbourhood="croix-rousse"
    )
    vouch(session, jeanne.id, same_quarter.id, recorded_by=desk.id)
    assert [v.voucher_id for v in vouches_for(session, jeanne.id)] == [same_quarter.id]


def test_an_unverified_or_suspended_neighbour_cannot_vouch(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    unverified = make_resident(session, "Pas vérifié")
    with pytest.raises(InvalidInput) as refused:
        vouch(session, jeanne.id, unverified.id, recorded_by=desk.id)
    assert refused.value.details["reason"] == "voucher_unverified"

    suspended = _verified_neighbour(session, "Suspendu")
    suspended.status = PersonStatus.suspended
    with pytest.raises(InvalidInput) as refused:
        vouch(session, jeanne.id, suspended.id, recorded_by=desk.id)
    assert refused.value.details["reason"] == "voucher_inactive"


def test_vouching_twice_is_a_conflict(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    paul = _verified_neighbour(session, "Paul")
    vouch(session, jeanne.id, paul.id, recorded_by=desk.id)
    with pytest.raises(Conflict) as refused:
        vouch(session, jeanne.id, paul.id, recorded_by=desk.id)
    assert refused.value.details["reason"] == "already_vouched"
    assert len(vouches_for(session, jeanne.id)) == 1


def test_eligible_vouchers_are_verified_neighbours_who_have_not_vouched(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    next_door = _verified_neighbour(session, "Porte à côté", at=(CENTRE[0] + 0.001, CENTRE[1]))
    here = _verified_neighbour(session, "Même immeuble")
    already = _verified_neighbour(session, "A déjà signé")
    _verified_neighbour(session, "Trop loin", at=FAR)
    make_resident(session, "Pas vérifié")
    suspended = _verified_neighbour(session, "Suspendu")
    suspended.status = PersonStatus.suspended
    vouch(session, jeanne.id, already.id, recorded_by=desk.id)

    found = eligible_vouchers(session, jeanne.id)

    assert [n.person_id for n in found] == [here.id, next_door.id]  # nearest first
    assert found[1].distance_km is not None and 0.05 < found[1].distance_km < 0.2
    assert eligible_vouchers(session, jeanne.id, limit=1)[0].person_id == here.id


def test_two_vouches_at_the_same_time_still_verify_the_address(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    paul, lucie = _verified_neighbour(session, "Paul"), _verified_neighbour(session, "Lucie")
    session.commit()
    ids = (jeanne.id, paul.id, lucie.id, desk.id)

    def second_vouch() -> None:
        with session_factory() as other, other.begin():
            vouch(other, ids[0], ids[2], recorded_by=ids[3])

    with session_factory() as first, first.begin():
        vouch(first, ids[0], ids[1], recorded_by=ids[3])
        racer = threading.Thread(target=second_vouch)
        racer.start()
        racer.join(timeout=0.5)  # it waits for the first transaction's lock on the address
        assert racer.is_alive()
    racer.join(timeout=30)

    session.expire_all()
    home = session.get_one(Person, jeanne.id).primary_address
    assert home is not None and home.verified_at is not None
