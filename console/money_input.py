"""Amounts as a dispatcher types them, turned into the ledger's integers.

Euros the French or the English way ("12,50", "12.50", "12 €", "1 234,50", "1,234.50") become
cents; time credits ("90", "90 min", "1h30", "1 h", "1:30") become minutes. Anything else is
refused with a reason code that the page words in the dispatcher's language.
"""

from __future__ import annotations

import re

from backend.ledger.models import Unit

MAX_AMOUNT = 10**9  # ten million euros in cents, or about 1900 years in minutes: surely a typo

_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_EUROS = re.compile(r"^(?P<whole>\d+)(?:[.,](?P<cents>\d*))?$")
_MINUTES = re.compile(r"^(?P<minutes>\d+)(?:min|mn|m)?$")
_HOURS = re.compile(r"^(?P<hours>\d+)(?:h|:)(?P<minutes>\d{1,2})?(?:min|mn|m)?$")


class AmountError(ValueError):
    """`code` names the reason: empty, negative, garbage, too_precise, zero, too_large."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_amount(text: str, unit: str) -> int:
    """The amount in cents (unit EUR) or minutes (unit MIN); AmountError when it is not one."""
    typed = _SPACES.sub("", text or "").lower()
    if not typed:
        raise AmountError("empty")
    if typed.startswith("-"):
        raise AmountError("negative")
    typed = typed.removeprefix("+")
    value = _minutes(typed) if unit == Unit.MIN else _cents(typed)
    if value == 0:
        raise AmountError("zero")
    if value > MAX_AMOUNT:
        raise AmountError("too_large")
    return value


def _cents(typed: str) -> int:
    for symbol in ("€", "eur", "euros", "euro"):
        if typed.endswith(symbol):
            typed = typed.removesuffix(symbol)
            break
    else:
        typed = typed.removeprefix("€")
    typed = _drop_thousands(typed)
    found = _EUROS.match(typed)
    if found is None:
        raise AmountError("garbage")
    cents = found.group("cents") or ""
    if len(cents) > 2:
        raise AmountError("too_precise")
    return int(found.group("whole")) * 100 + int(cents.ljust(2, "0"))


def _drop_thousands(typed: str) -> str:
    """'1.234,50' and '1,234.50': the last separator is the decimal one when the other kind
    groups thousands before it; one kind used several times ('1.234.567') groups thousands."""
    separators = [c for c in typed if c in ",."]
    if len(separators) < 2:
        return typed
    grouping, last = separators[0], separators[-1]
    if any(c != grouping for c in separators[:-1]):
        raise AmountError("garbage")
    if last == grouping:
        head, tail = typed, ""
    else:
        head, decimals = typed.rsplit(last, 1)
        tail = f".{decimals}"
    if not re.fullmatch(rf"\d{{1,3}}(?:\{grouping}\d{{3}})+", head):
        raise AmountError("garbage")
    return head.replace(grouping, "") + tail


def _minutes(typed: str) -> int:
    plain = _MINUTES.match(typed)
    if plain is not None:
        return int(plain.group("minutes"))
    hours = _HOURS.match(typed)
    if hours is None:
        raise AmountError("garbage")
    minutes = int(hours.group("minutes") or 0)
    if minutes >= 60:
        raise AmountError("garbage")
    return int(hours.group("hours")) * 60 + minutes
