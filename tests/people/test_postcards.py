"""Address verification by a code mailed on a postcard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Conflict, InvalidInput, NotFound
from backend.people.models import Person, PostcardCode, PostcardStatus, Role
from backend.people.postcards import (
    MAX_ATTEMPTS,
    RedeemResult,
    issue_postcard_code,
    pending_postcard,
    redeem_postcard_code,
)
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from tests.factories import make_resident

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _dispatcher(session: Session) -> Person:
    return create_person(session, PersonCreate(display_name="Dispatch", roles=[Role.dispatcher]))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_issued_code_is_six_digits_and_stored_only_hashed(session: Session) -> None:
    jeanne, desk = make_resident(session, "Jeanne"), _dispatcher(session)
    issued = issue_postcard_code(session, jeanne.id, issued_by=desk.id, now=NOW)

    assert len(issued.code) == 6 and issued.code.isdigit()
    assert issued.address == jeanne.addresses[0].one_line()
    assert issued.expires_at == NOW + timedelta(days=30)
    card = session.scalars(select(PostcardCode)).one()
    assert issued.code not in card.code_hash
    assert card.status == PostcardStatus.pending and card.issued_by_id == desk.id


def test_right_code_verifies_the_address(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    issued = issue_postcard_code(session, jeanne.id, issued_by=desk.id, now=NOW)

    outcome = redeem_postcard_code(
        session, jeanne.id, f"{issued.code[:3]} {issued.code[3:]}", now=NOW + timedelta(days=3)
    )

    assert outcome.result == RedeemResult.verified
    assert jeanne.primary_address is not None
    assert jeanne.primary_address.verified_at == NOW + timedelta(days=3)
    assert pending_postcard(session, jeanne.id) is None
    # Used once: the same code again finds nothing pending.
    assert redeem_postcard_code(session, jeanne.id, issued.code).result == RedeemResult.none_pending


def test_wrong_code_says_how_many_attempts_are_left_then_locks(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    issued = issue_postcard_code(session, jeanne.id, issued_by=desk.id, now=NOW)

    first = redeem_postcard_code(session, jeanne.id, _wrong(issued.code), now=NOW)
    assert (first.result, first.attempts_left) == (RedeemResult.wrong, MAX_ATTEMPTS - 1)
    pending = pending_postcard(session, jeanne.id, now=NOW)
    assert pending is not None and pending.attempts_used == 1 and not pending.expired
    for _ in range(MAX_ATTEMPTS - 2):
        redeem_postcard_code(session, jeanne.id, _wrong(issued.code), now=NOW)
    last = redeem_postcard_code(session, jeanne.id, _wrong(issued.code), now=NOW)

    assert last.result == RedeemResult.too_many_attempts
    # Even the right code is refused now: a dispatcher sends a new card.
    after = redeem_postcard_code(session, jeanne.id, issued.code, now=NOW)
    assert after.result == RedeemResult.none_pending
    assert jeanne.primary_address is not None and jeanne.primary_address.verified_at is None


def test_expired_code_is_refused(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    issued = issue_postcard_code(session, jeanne.id, issued_by=desk.id, now=NOW)

    late = NOW + timedelta(days=30)
    assert redeem_postcard_code(session, jeanne.id, issued.code, now=late).result == "expired"
    pending = pending_postcard(session, jeanne.id, now=late)
    assert pending is not None and pending.expired
    assert jeanne.primary_address is not None and jeanne.primary_address.verified_at is None


def test_new_card_invalidates_the_old_code(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    old = issue_postcard_code(session, jeanne.id, issued_by=desk.id, now=NOW)
    new = issue_postcard_code(session, jeanne.id, issued_by=desk.id, now=NOW + timedelta(hours=1))
    if old.code == new.code:  # one chance in a million
        pytest.skip("the two random codes happen to be equal")

    assert redeem_postcard_code(session, jeanne.id, old.code, now=NOW).result == "wrong"
    assert redeem_postcard_code(session, jeanne.id, new.code, now=NOW).result == "verified"
    statuses = session.scalars(select(PostcardCode.status).order_by(PostcardCode.id)).all()
    assert statuses == [PostcardStatus.revoked, PostcardStatus.used]


def test_issue_is_refused_without_address_or_when_already_verified(session: Session) -> None:
    desk = _dispatcher(session)
    homeless = create_person(session, PersonCreate(display_name="Sans adresse"))
    with pytest.raises(Conflict) as no_address:
        issue_postcard_code(session, homeless.id, issued_by=desk.id)
    assert no_address.value.details["reason"] == "no_address"

    jeanne = make_resident(session)
    jeanne.addresses[0].verified_at = NOW
    with pytest.raises(Conflict) as verified:
        issue_postcard_code(session, jeanne.id, issued_by=desk.id)
    assert verified.value.details["reason"] == "already_verified"

    with pytest.raises(NotFound):
        issue_postcard_code(session, 999_999, issued_by=desk.id)


def test_a_code_that_is_not_six_digits_costs_no_attempt(session: Session) -> None:
    jeanne, desk = make_resident(session), _dispatcher(session)
    issue_postcard_code(session, jeanne.id, issued_by=desk.id, now=NOW)

    for typed in ("12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        with pytest.raises(InvalidInput):
            redeem_postcard_code(session, jeanne.id, typed, now=NOW)
    pending = pending_postcard(session, jeanne.id, now=NOW)
    assert pending is not None and pending.attempts_used == 0


def test_nothing_pending_without_a_card(session: Session) -> None:
    jeanne = make_resident(session)
    assert pending_postcard(session, jeanne.id) is None
    assert redeem_postcard_code(session, jeanne.id, "123456").result == "none_pending"
