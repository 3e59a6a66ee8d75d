"""Address verification by postcard: a dispatcher mails a 6-digit code to a person's address,
and the person proves they live there by entering it (on Telegram, by phone, or to a
dispatcher who types it in the console).

The code itself is the one of codes.py (a hash salted with the address id, compared in
constant time). A card is valid for `CODE_TTL` and `MAX_ATTEMPTS` wrong entries; a new card
for the same address revokes the pending one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import Conflict
from backend.people.codes import (
    CODE_DIGITS,
    RedeemOutcome,
    RedeemResult,
    clean_code,
    digest,
    new_code,
    redeem,
)
from backend.people.models import Address, PostcardCode, PostcardStatus
from backend.people.service import get_person

__all__ = ["CODE_DIGITS", "RedeemOutcome", "RedeemResult"]  # the flows' names for them
CODE_TTL = timedelta(days=30)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class IssuedCode:
    """The plain code, shown once to the dispatcher who writes it on the postcard."""

    code: str
    person_id: int
    address_id: int
    address: str  # one line, as it goes on the card
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class PendingPostcard:
    """What the console shows about the card in the post (never the code)."""

    address_id: int
    address: str
    issued_at: datetime
    expires_at: datetime
    attempts_used: int
    max_attempts: int
    issued_by_id: int | None
    expired: bool


def issue_postcard_code(
    session: Session, person_id: int, *, issued_by: int, now: datetime | None = None
) -> IssuedCode:
    """A new code for the person's primary address; any card still pending there is revoked.

    Raises NotFound (unknown person or issuer), Conflict (reason "no_address": nowhere to
    mail it; reason "already_verified": nothing to prove).
    """
    now = now or utcnow()
    address = _primary_address(session, person_id)
    if address is None:
        raise Conflict("this person has no address to send a postcard to", reason="no_address")
    if address.verified_at is not None:
        raise Conflict(
            "this address is already verified",
            reason="already_verified",
            verified_at=address.verified_at.isoformat(),
        )
    get_person(session, issued_by)
    # Two cards issued at once for one address: the second waits, then revokes the first.
    session.get(Address, address.id, with_for_update=True)
    session.execute(
        update(PostcardCode)
        .where(PostcardCode.address_id == address.id, PostcardCode.status == PostcardStatus.pending)
        .values(status=PostcardStatus.revoked, closed_at=now)
        .execution_options(synchronize_session="fetch")
    )
    code = new_code()
    card = PostcardCode(
        address_id=address.id,
        code_hash=digest(_scope(address.id), code),
        status=PostcardStatus.pending,
        attempts=0,
        max_attempts=MAX_ATTEMPTS,
        issued_by_id=issued_by,
        issued_at=now,
        expires_at=now + CODE_TTL,
    )
    session.add(card)
    session.flush()
    return IssuedCode(
        code=code,
        person_id=person_id,
        address_id=address.id,
        address=address.one_line(),
        issued_at=now,
        expires_at=card.expires_at,
    )


def redeem_postcard_code(
    session: Session, person_id: int, code: str, *, now: datetime | None = None
) -> RedeemOutcome:
    """Check a code the person entered; on success the address is verified (`verified_at`).

    Spaces, dots and dashes in the code are ignored ("482 913"). Every wrong code counts
    against the card, and the last allowed one locks it. Raises NotFound (unknown person)
    and InvalidInput when the code is not six digits (that costs no attempt).
    """
    now = now or utcnow()
    typed = clean_code(code)
    address = _primary_address(session, person_id)
    card = _pending(session, address.id, lock=True) if address is not None else None
    if address is None or card is None:
        return RedeemOutcome(RedeemResult.none_pending)
    outcome = redeem(card, _scope(address.id), typed, now)
    if outcome.verified:
        address.verified_at = address.verified_at or now
    session.flush()
    return outcome


def pending_postcard(
    session: Session, person_id: int, *, now: datetime | None = None
) -> PendingPostcard | None:
    """The card in the post for the person's primary address, or None. Raises NotFound."""
    address = _primary_address(session, person_id)
    card = _pending(session, address.id) if address is not None else None
    if address is None or card is None:
        return None
    return PendingPostcard(
        address_id=address.id,
        address=address.one_line(),
        issued_at=card.issued_at,
        expires_at=card.expires_at,
        attempts_used=card.attempts,
        max_attempts=card.max_attempts,
        issued_by_id=card.issued_by_id,
        expired=(now or utcnow()) >= card.expires_at,
    )


def _primary_address(session: Session, person_id: int) -> Address | None:
    return get_person(session, person_id).primary_address


def _pending(session: Session, address_id: int, *, lock: bool = False) -> PostcardCode | None:
    stmt = (
        select(PostcardCode)
        .where(PostcardCode.address_id == address_id, PostcardCode.status == PostcardStatus.pending)
        .order_by(PostcardCode.issued_at.desc(), PostcardCode.id.desc())
        .limit(1)
    )
    if lock:
        # Two codes typed at once must not both get the last attempt (PostgreSQL; SQLite's
        # write transactions are serialised already).
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def _scope(address_id: int) -> str:
    return f"postcard:{address_id}"
