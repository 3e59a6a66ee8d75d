"""`price` and `duration`: amounts of money and of time, in digits or in words.

Price value: `{"amount": int, "currency": str, "free": bool}`, the amount in hundredths of the
currency unit (cents, pence, hundredths of a time credit) so that no float ever reaches the
ledger. "gratuit", "bénévole", "for free" are a price of 0 with `free` true.
Duration value: `{"minutes": int}`.

Both run on folded text (lowercase, no accents, same offsets as the original).
"""

from __future__ import annotations

import re
from typing import Any

from nlu.entities.numbers import COUNT_PATTERN, NUMBER_PATTERN, to_int

_CURRENCIES = [
    (r"€|euros?|eur|balles", "EUR"),
    (r"£|pounds?|quid|livres?", "GBP"),
    (r"\$|dollars?|usd", "USD"),
    (r"credits?[- ]temps|credits? de temps|time[- ]credits?|credits?", "TIME_CREDIT"),
]
_CURRENCY_OF = [(re.compile(rf"^(?:{p})$"), code) for p, code in _CURRENCIES]
_CURRENCY = "|".join(p for p, _ in _CURRENCIES)
_AMOUNT = rf"\d+(?:[.,]\d{{1,2}})?|{NUMBER_PATTERN}"

_PRICE_RES = [
    re.compile(r"(?P<cur>[€£$])\s*(?P<n>\d+(?:[.,]\d{1,2})?)(?!\w)"),
    re.compile(
        rf"\b(?P<n>{_AMOUNT})\s*(?P<cur>{_CURRENCY})"
        rf"(?:\s*(?P<cents>\d{{2}}|{COUNT_PATTERN}))?(?![\w-])"
    ),
]
_FREE_RE = re.compile(
    r"\b(?:gratuit(?:e|es|s|ement)?|gracieusement|a titre gracieux|benevole(?:s|ment)?"
    r"|benevolat|pour rien|sans (?:rien )?payer|sans contrepartie|pas payant"
    r"|for free|free of charge|for nothing|at no cost|no charge|without charge"
    r"|without paying|unpaid|volunteer(?:ing|s)?|voluntarily|pro bono)\b"
)

_HOUR_UNIT = r"h|heures?|hours?|hrs?"
_MINUTE_UNIT = r"minutes?|mins?|mn"
_QUANTITY = (
    rf"(?P<n>\d+(?:[.,]\d+)?|{NUMBER_PATTERN})\s*(?P<unit>{_HOUR_UNIT}|{_MINUTE_UNIT})"
    rf"(?:\s*(?P<m>\d{{2}}|{COUNT_PATTERN})(?!\s*(?:{_HOUR_UNIT})))?"
    r"(?P<half>\s+et demie?|\s+and a half)?"
)
_FIXED_DURATIONS = {
    "une demi-heure": 30,
    "une demi heure": 30,
    "half an hour": 30,
    "a half hour": 30,
    "half hour": 30,
    "un quart d'heure": 15,
    "a quarter of an hour": 15,
    "quarter of an hour": 15,
    "une heure et demie": 90,
    "an hour and a half": 90,
    "a couple of hours": 120,
    "a couple hours": 120,
    "une petite heure": 60,
    "une bonne heure": 60,
    "toute la journee": 480,
    "all day": 480,
    "the whole day": 480,
    "toute la matinee": 240,
    "tout l'apres-midi": 240,
    "toute l'apres-midi": 240,
    "all morning": 240,
    "all afternoon": 240,
    "all evening": 180,
    "the whole morning": 240,
}
_FIXED_RE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(k) for k in sorted(_FIXED_DURATIONS, key=len, reverse=True))
    + r")\b"
)
# A duration is said after one of these; "dans 2 heures" and "à 2 heures" are times.
_CUE = (
    r"pendant|durant|pour|environ|a peu pres|compter|prend(?:re|ra|rait)?|faut|faudrait"
    r"|besoin de|about|for|during|around|roughly|takes?|take|need|needs|maybe|max|maximum"
)
_CUED_RE = re.compile(
    rf"\b(?:{_CUE})\s+(?:(?:environ|about|around|une bonne|a good|maybe|max|au moins|at least"
    rf"|tout au plus|a peu pres|genre|like)\s+)?(?P<q>{_QUANTITY})(?!\w)"
)
# "deux heures de ménage": a quantity followed by "de" + an activity, not "de l'après-midi".
_OF_RE = re.compile(
    rf"\b(?P<q>{_QUANTITY})\s+(?:de|d')\s*(?!l'?apres|l'?aprem|matin|soir|la nuit|l'heure)\w"
)
# "2h par semaine": a weekly amount of time, not two o'clock.
_PER_PERIOD_RE = re.compile(
    rf"\b(?P<q>{_QUANTITY})\s*(?:par|/|a la|per|a|each|every)\s*"
    r"(?:semaine|sem|jour|mois|week|wk|day|month)\b"
)
# "20 minutes", "2 hours" alone are durations (French "2 heures" alone is rather a time).
_MINUTES_RE = re.compile(
    rf"\b(?P<q>(?P<n>\d+(?:[.,]\d)?|{NUMBER_PATTERN})\s*(?P<unit>{_MINUTE_UNIT}|hours?|hrs?))\b"
)
_NOT_BEFORE_MINUTES = re.compile(r"(?:dans|in|d'ici|within|a|at|vers|an)\s*$")

_DETERMINER_BEFORE = re.compile(
    r"\b(?:le|la|les|un|une|des|du|au|aux|ce|cet|cette|ces|mon|ma|mes|ton|ta|votre|vos|notre"
    r"|nos|leur|leurs|super|the|this|that|our|your|my|his|her|their|other)\s+$"
)


def extract_prices(folded: str) -> list[tuple[int, int, dict[str, Any]]]:
    found = []
    for regex in _PRICE_RES:
        for m in regex.finditer(folded):
            cents, end = m.groupdict().get("cents"), m.end()
            amount = _to_hundredths(m.group("n"), cents)
            if amount is None and cents:  # "10 euros trois fois": the price ends at "euros"
                amount, end = _to_hundredths(m.group("n"), None), m.end("cur")
            if amount is None:
                continue
            currency = next(code for rx, code in _CURRENCY_OF if rx.match(m.group("cur")))
            found.append(
                (m.start(), end, {"amount": amount, "currency": currency, "free": amount == 0})
            )
    for m in _FREE_RE.finditer(folded):
        if _DETERMINER_BEFORE.search(folded[max(0, m.start() - 12) : m.start()]):
            continue  # "le bénévole est venu", "the volunteer": a person, not a price
        found.append((m.start(), m.end(), {"amount": 0, "currency": "EUR", "free": True}))
    return found


def _to_hundredths(number: str, cents: str | None) -> int | None:
    number = number.strip()
    if re.fullmatch(r"\d+(?:[.,]\d{1,2})?", number):
        units, _, fraction = number.replace(",", ".").partition(".")
        value = int(units) * 100 + int((fraction + "00")[:2] if fraction else 0)
    else:
        as_int = to_int(number)
        if as_int is None:
            return None
        value = as_int * 100
    if not cents:
        return value
    # "quinze euros cinquante": the cents said in words, from 10 to 99 ("dix euros deux" is not
    # ten euros and two cents but something else said after the price).
    said = int(cents) if cents.isdigit() else to_int(cents)
    if said is None or not (10 <= said <= 99 or (cents.isdigit() and len(cents) == 2)):
        return None
    return value + said


def _minutes(m: re.Match[str]) -> int | None:
    raw = m.group("n").replace(",", ".")
    n = float(raw) if re.fullmatch(r"\d+(?:\.\d+)?", raw) else to_int(raw)
    if n is None:
        return None
    unit = m.group("unit")
    per_unit = 1 if re.fullmatch(_MINUTE_UNIT, unit) else 60
    extra = m.groupdict().get("m")
    total = n * per_unit + (to_int(extra) or 0 if extra and per_unit == 60 else 0)
    if m.groupdict().get("half"):
        total += per_unit // 2
    return int(round(total)) if 0 < total <= 60 * 24 * 7 else None


def extract_durations(folded: str) -> list[tuple[int, int, dict[str, Any]]]:
    found = []
    for m in _FIXED_RE.finditer(folded):
        found.append((m.start(), m.end(), {"minutes": _FIXED_DURATIONS[m.group(0)]}))
    for regex in (_CUED_RE, _OF_RE, _PER_PERIOD_RE):
        for m in regex.finditer(folded):
            minutes = _minutes(m)
            if minutes is not None:
                found.append((m.start("q"), m.end("q"), {"minutes": minutes}))
    for m in _MINUTES_RE.finditer(folded):  # "20 minutes" alone is a duration...
        if _NOT_BEFORE_MINUTES.search(folded[max(0, m.start() - 8) : m.start()]):
            continue  # ...but "dans 20 minutes" is a time
        minutes = _minutes(m)
        if minutes is not None:
            found.append((m.start("q"), m.end("q"), {"minutes": minutes}))
    return found
