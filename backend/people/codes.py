"""One-time codes of six digits, as postcards (postcards.py) and phone checks (phone_codes.py)
use them: made with `secrets`, kept only as a salted hash, compared in constant time, valid
until an expiry and for a few wrong entries.

Six digits are few: the attempt limit, not the hash, is what stops guessing, and a leaked
hash can be reversed offline by trying every code, so codes stay short-lived. The plain code
is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from backend.errors import InvalidInput
from backend.people.models import CodeStatus

CODE_DIGITS = 6
_SEPARATORS = re.compile(r"[\s.\-]")


class RedeemResult(StrEnum):
    verified = "verified"
    wrong = "wrong"  # attempts_left more tries
    expired = "expired"  # a new code is needed
    too_many_attempts = "too_many_attempts"  # likewise
    none_pending = "none_pending"  # no code is waiting


@dataclass(frozen=True)
class RedeemOutcome:
    result: RedeemResult
    attempts_left: int = 0

    @property
    def verified(self) -> bool:
        return self.result == RedeemResult.verified


class CodeRow(Protocol):
    """What a table of codes has (PostcardCode, PhoneCode)."""

    code_hash: str
    status: str
    attempts: int
    max_attempts: int
    expires_at: datetime
    closed_at: datetime | None


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def digest(scope: str, code: str) -> str:
    """The stored form of a code: salted with what it proves (an address, a number)."""
    return hashlib.sha256(f"{scope}:{code}".encode()).hexdigest()


def clean_code(code: str) -> str:
    """ "482 913" -> "482913". Raises InvalidInput when it is not six digits (which costs
    no attempt)."""
    typed = _SEPARATORS.sub("", code)
    if len(typed) != CODE_DIGITS or not typed.isascii() or not typed.isdigit():
        raise InvalidInput(f"a code has {CODE_DIGITS} digits")
    return typed


def redeem(row: CodeRow, scope: str, typed: str, now: datetime) -> RedeemOutcome:
    """Check `typed` (already `clean_code`d) against a pending row, locked by the caller.

    The right code closes the row as used; every wrong one counts, and the last allowed one
    locks it. An expired row is left as it is (its expiry says enough)."""
    if now >= row.expires_at:
        return RedeemOutcome(RedeemResult.expired)
    if hmac.compare_digest(row.code_hash, digest(scope, typed)):
        row.status, row.closed_at = CodeStatus.used, now
        return RedeemOutcome(RedeemResult.verified)
    row.attempts += 1
    left = row.max_attempts - row.attempts
    if left > 0:
        return RedeemOutcome(RedeemResult.wrong, attempts_left=left)
    row.status, row.closed_at = CodeStatus.locked, now
    return RedeemOutcome(RedeemResult.too_many_attempts)
