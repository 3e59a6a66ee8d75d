"""Phone numbers in E.164, whatever way people write them (French numbers by default)."""

from __future__ import annotations

import phonenumbers

from backend.errors import InvalidInput


def normalise_phone(raw: str, default_region: str = "FR") -> str:
    """'06 12 34 56 78', '+33612345678', '0033 6 12 34 56 78' -> '+33612345678'."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput(f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def spoken_phone(e164: str) -> str:
    """The national format a French caller recognises: '06 12 34 56 78'."""
    return phonenumbers.format_number(
        phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.NATIONAL
    )


def readable_phone(e164: str) -> str:
    """How a stored number reads on a screen, its country kept: '+33 4 65 71 89 39'."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def is_landline(e164: str) -> bool:
    """A fixed line, where an SMS would never arrive (a call is placed instead)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE


def masked_phone(e164: str) -> str:
    """Enough to recognise one's own number, not to learn someone else's: '04 •• •• •• 39'."""
    national = spoken_phone(e164)
    total = sum(c.isdigit() for c in national)
    seen = 0
    masked = []
    for c in national:
        if c.isdigit():
            seen += 1
            masked.append(c if seen <= 2 or seen > total - 2 else "•")
        else:
            masked.append(c)
    return "".join(masked)
