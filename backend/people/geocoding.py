"""Finding an address said in words, without any outside service.

The neighbourhood's own addresses are the gazetteer: a street already known (from residents,
helpers, or an imported street list) gives coordinates; "12 rue Dumenge", "douze rue dumenge",
"rue dumange" (a recognition slip) all find it. An unknown street is kept as said, without
coordinates, for a dispatcher to verify.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.people.models import Address

_NUMBER = re.compile(r"^\s*(\d{1,4})\s*(bis|ter)?\s*,?\s*", re.IGNORECASE)
_HOUSE_NUMBER = re.compile(r"^\d{1,4}\s*(bis|ter)?\s+", re.IGNORECASE)
_WORD_NUMBERS = {
    "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
}  # fmt: skip


@dataclass(frozen=True)
class Located:
    street: str  # "12 rue Dumenge"
    postcode: str
    city: str
    neighbourhood: str
    lat: float
    lon: float


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _split_number(text: str) -> tuple[str, str]:
    words = text.strip().split()
    if words and _fold(words[0]) in _WORD_NUMBERS:
        return str(_WORD_NUMBERS[_fold(words[0])]), " ".join(words[1:])
    match = _NUMBER.match(text)
    if match:
        number = match.group(1) + (f" {match.group(2)}" if match.group(2) else "")
        return number, text[match.end() :]
    return "", text


def locate(session: Session, said: str, *, min_score: float = 80.0) -> Located | None:
    """The best known street for what was said, with the house number kept."""
    number, rest = _split_number(said)
    rest = re.split(r",|\b(?:a|à) lyon\b|\b69\d{3}\b", rest, maxsplit=1)[0].strip()
    if not rest:
        return None
    rows = session.execute(
        select(
            Address.street,
            Address.postcode,
            Address.city,
            Address.neighbourhood,
            func.avg(Address.lat),
            func.avg(Address.lon),
        )
        .where(Address.lat.is_not(None))
        .group_by(Address.street, Address.postcode, Address.city, Address.neighbourhood)
    ).all()
    streets: dict[str, tuple[str, str, str, str, float, float]] = {}
    for street, postcode, city, neighbourhood, lat, lon in rows:
        name = _HOUSE_NUMBER.sub("", street).strip()
        streets.setdefault(_fold(name), (name, postcode, city, neighbourhood, lat, lon))
    if not streets:
        return None
    best = process.extractOne(_fold(rest), list(streets), scorer=fuzz.WRatio)
    if best is None or best[1] < min_score:
        return None
    name, postcode, city, neighbourhood, lat, lon = streets[best[0]]
    return Located(
        street=f"{number} {name}".strip(),
        postcode=postcode,
        city=city,
        neighbourhood=neighbourhood,
        lat=float(lat),
        lon=float(lon),
    )


def spoken_to_written(said: str) -> str:
    """'quarante rue imaginaire' -> '40 rue imaginaire': how a transcript becomes an address."""
    number, rest = _split_number(said)
    return f"{number} {rest.strip()}".strip()
