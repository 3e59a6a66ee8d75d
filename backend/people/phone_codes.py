"""Proving that a phone number is one's own: a code sent to it, typed back.

Typing a number proves nothing: anyone can type a neighbour's. Before someone who typed the
number of a person we know (a hotline caller) may act as that person, the number is sent a
one-time code (codes.py) by SMS, or read by a call when it is a landline, and only the right
code typed back by the same claimant (e.g. "telegram:123") proves it.

A code is valid for `CODE_TTL` and `MAX_ATTEMPTS` wrong entries; a new one for the same claim
revokes the pending one. A number gets at most `MAX_CODES_PER_HOUR` codes, whoever asks, so
that a stranger cannot make someone's phone ring all day. The message goes through the
outbox in the caller's transaction; once the code is used, locked, expired or replaced, it is
wiped from the sent message too, and it is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import Conflict
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import enqueue
from backend.people.codes import RedeemOutcome, RedeemResult, clean_code, digest, new_code, redeem
from backend.people.models import CodeStatus, PhoneCode
from backend.people.phones import is_landline, normalise_phone

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 3
MAX_CODES_PER_HOUR = 3
SMS_KIND = "phone_code"  # the words of each kind are in the prompt catalogue (notify.<kind>)
CALL_KIND = "phone_code_call"


@dataclass(frozen=True)
class SentCode:
    """What may be told to the claimant: where the code went, never the code."""

    phone: str  # E.164
    channel: str  # "sms" or "voice_call"
    expires_at: datetime


def send_phone_code(
    session: Session,
    phone: str,
    claimant: str,
    *,
    language: str = "fr",
    person_id: int | None = None,
    now: datetime | None = None,
) -> SentCode:
    """A new code for `claimant`'s claim on `phone`, written to the outbox for that number.

    `person_id` is the number's owner, to whom the message goes. Raises InvalidInput (not a
    number) and Conflict (reason "too_many_codes": the number had its share this hour).
    """
    now = now or utcnow()
    e164 = normalise_phone(phone)
    recent = session.scalar(
        select(func.count())
        .select_from(PhoneCode)
        .where(PhoneCode.phone == e164, PhoneCode.issued_at > now - timedelta(hours=1))
    )
    if (recent or 0) >= MAX_CODES_PER_HOUR:
        raise Conflict("this number was sent enough codes for now", reason="too_many_codes")
    replaced = _pending(session, e164, claimant)
    if replaced is not None:
        replaced.status, replaced.closed_at = CodeStatus.revoked, now
        _wipe(session, replaced.id)
    code = new_code()
    row = PhoneCode(
        phone=e164,
        claimant=claimant,
        code_hash=digest(_scope(e164, claimant), code),
        status=CodeStatus.pending,
        attempts=0,
        max_attempts=MAX_ATTEMPTS,
        issued_at=now,
        expires_at=now + CODE_TTL,
    )
    session.add(row)
    session.flush()
    channel = "voice_call" if is_landline(e164) else "sms"
    enqueue(
        session,
        channel=channel,
        address=e164,
        kind=CALL_KIND if channel == "voice_call" else SMS_KIND,
        payload={"code": code, "language": language},
        person_id=person_id,
        dedupe_key=f"phone_code:{row.id}",
    )
    return SentCode(phone=e164, channel=channel, expires_at=row.expires_at)


def redeem_phone_code(
    session: Session, phone: str, claimant: str, code: str, *, now: datetime | None = None
) -> RedeemOutcome:
    """Check the code `claimant` typed for `phone`. Spaces, dots and dashes are ignored.

    Raises InvalidInput when it is not six digits (that costs no attempt)."""
    now = now or utcnow()
    typed = clean_code(code)
    e164 = normalise_phone(phone)
    row = _pending(session, e164, claimant)
    if row is None:
        return RedeemOutcome(RedeemResult.none_pending)
    outcome = redeem(row, _scope(e164, claimant), typed, now)
    if outcome.result != RedeemResult.wrong:
        _wipe(session, row.id)
    session.flush()
    return outcome


def _pending(session: Session, phone: str, claimant: str) -> PhoneCode | None:
    return session.scalar(
        select(PhoneCode)
        .where(
            PhoneCode.phone == phone,
            PhoneCode.claimant == claimant,
            PhoneCode.status == CodeStatus.pending,
        )
        .order_by(PhoneCode.issued_at.desc(), PhoneCode.id.desc())
        .limit(1)
        # Two codes typed at once must not both get the last attempt (PostgreSQL).
        .with_for_update()
    )


def _wipe(session: Session, code_id: int) -> None:
    """The code has served: no copy of it stays in the outbox once the message is out."""
    message = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key == f"phone_code:{code_id}",
            OutboxMessage.status == OutboxStatus.sent,
        )
    )
    if message is not None:
        message.payload = {**message.payload, "code": ""}


def _scope(phone: str, claimant: str) -> str:
    return f"phone:{phone}:{claimant}"


__all__ = [
    "CODE_TTL",
    "MAX_ATTEMPTS",
    "MAX_CODES_PER_HOUR",
    "RedeemOutcome",
    "RedeemResult",
    "SentCode",
    "redeem_phone_code",
    "send_phone_code",
]
