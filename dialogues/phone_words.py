"""A phone number as it is said aloud: French numbers in pairs, the way people say them.

"+33482530000" -> "zéro quatre, quatre-vingt-deux, cinquante-trois, zéro zéro, zéro zéro" in
French, "zero four, eight two, five three, zero zero, zero zero" in English. Written out in
words so that the voice says each pair the same way every time (a synthetic voice reads
"00" or "04" as it likes), with a comma, hence a pause, between pairs.
"""

from __future__ import annotations

import phonenumbers

_FR_UNITS = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf")
_FR_TEENS = ("dix", "onze", "douze", "treize", "quatorze", "quinze", "seize")
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
_EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def national_digits(e164: str) -> str:
    """The digits a caller dials at home: "+33482530000" -> "0482530000"."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "".join(c for c in e164 if c.isdigit())
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(c for c in national if c.isdigit())


def say_phone_number(e164: str, language: str) -> str:
    """The number said pair by pair (a last odd digit alone)."""
    digits = national_digits(e164)
    pairs = [digits[i : i + 2] for i in range(0, len(digits), 2)]
    if language == "fr":
        return ", ".join(_fr_pair(pair) for pair in pairs)
    return ", ".join(" ".join(_EN_DIGITS[int(d)] for d in pair) for pair in pairs)


def _fr_pair(pair: str) -> str:
    if len(pair) == 1 or pair[0] == "0":
        return " ".join(_FR_UNITS[int(d)] for d in pair)
    return _fr_number(int(pair))


def _fr_number(n: int) -> str:
    """10 to 99 in words (France: soixante-dix, quatre-vingts, quatre-vingt-dix)."""
    if n < 10:
        return _FR_UNITS[n]
    if n < 17:
        return _FR_TEENS[n - 10]
    if n < 20:
        return f"dix-{_FR_UNITS[n - 10]}"
    if n < 70:
        tens, unit = divmod(n, 10)
        if unit == 0:
            return _FR_TENS[tens]
        return f"{_FR_TENS[tens]} et un" if unit == 1 else f"{_FR_TENS[tens]}-{_FR_UNITS[unit]}"
    if n < 80:
        rest = n - 60
        return "soixante et onze" if rest == 11 else f"soixante-{_fr_number(rest)}"
    if n == 80:
        return "quatre-vingts"
    return f"quatre-vingt-{_fr_number(n - 80)}"
