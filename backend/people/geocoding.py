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

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.people.models import Address

# A house number said in words ("cinq", "vingt et un", "quatre-vingt-douze", "cent douze",
# "twenty-two"): its words, added up ("quatre vingt" is 4 x 20).
_NUMBER_WORDS = {
    "zero": 0, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60, "cent": 100, "cents": 100, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
# "un" only inside a number ("vingt et un"): "un chemin" is no address.
_NUMBER_WORD = r"(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_SPELLED = rf"\b{_NUMBER_WORD}(?:[\s-]+(?:(?:et|and)[\s-]+)?(?:{_NUMBER_WORD}|un)\b)*"
_STREET_TYPES = (
    r"rue|avenue|av|boulevard|bd|allee|allée|impasse|chemin|quai|residence|résidence|passage"
    r"|square|cours|place|route|cite|cité|montee|montée|voie|sentier|lotissement|hameau"
    r"|grande rue|street|road|lane|drive|close|crescent|terrace|gardens|grove"
)
_SUFFIX = r"(?:\s?(?:bis|ter|quater)\b|[a-d]\b)?"
_CONNECTOR = r"(?:,\s*|\s+(?:de la|du|des|de l'|de l’|d'|d’)\s*|\s+)"
# The house number just before the street: "5 rue", "5 bis rue", "14 de la rue", "5, rue".
_FR_ADDRESS = re.compile(
    rf"(?<![\w-])(?P<num>\d{{1,4}}){_SUFFIX}{_CONNECTOR}(?=(?:{_STREET_TYPES})\b)", re.IGNORECASE
)
# English puts the street type last: "5 Baker Street", "221b baker street".
_EN_ADDRESS = re.compile(
    r"(?<![\w-])(?P<num>\d{1,4}[a-d]?)\s+(?=(?:[\w'-]+\s+){1,3}"
    r"(?:street|st|road|rd|lane|drive|close|way|crescent|terrace|gardens|grove|avenue|ave)\b)",
    re.IGNORECASE,
)
_SPELLED_BEFORE_STREET = re.compile(
    rf"{_SPELLED}(?={_SUFFIX}{_CONNECTOR}(?:{_STREET_TYPES})\b"
    r"|\s+(?:[\w'-]+\s+){1,3}(?:street|road|lane|drive|avenue)\b)",
    re.IGNORECASE,
)
_STREET_START = re.compile(rf"(?<![\w-])(?:{_STREET_TYPES})\b(?=\s+\w)", re.IGNORECASE)
_NUMBER_FIRST = re.compile(r"^\s*(\d{1,4})\s*(bis|ter|quater)?\s*,?\s*", re.IGNORECASE)
_HOUSE_NUMBER = re.compile(r"^\d{1,4}\s*(bis|ter)?\s+", re.IGNORECASE)


def _spelled_value(words: str) -> int:
    """'quatre vingt douze' -> 92, 'deux cent douze' -> 212, 'vingt et un' -> 21."""
    total = 0
    for word in re.split(r"[\s-]+", _fold(words)):
        if word in ("et", "and"):
            continue
        value = 1 if word == "un" else _NUMBER_WORDS[word]
        if value == 100:
            total = max(total, 1) * 100
        elif word in ("vingt", "vingts") and total % 100 == 4:
            total += 76  # quatre-vingt
        else:
            total += value
    return total


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


def _digits(text: str) -> str:
    """A house number said in words written in digits: 'cinq rue X' -> '5 rue X'."""
    return _SPELLED_BEFORE_STREET.sub(lambda m: str(_spelled_value(m.group(0))), text)


def _split_number(text: str) -> tuple[str, str]:
    """The house number and the street, wherever the address starts in what was said:
    "j'habite au 5 bis rue d'Ivry" -> ("5 bis", "rue d'Ivry"), "au 14 de la rue Victor Hugo"
    -> ("14", "rue Victor Hugo"), "I live at 5 Baker Street" -> ("5", "Baker Street")."""
    text = _digits(text)
    for pattern in (_FR_ADDRESS, _EN_ADDRESS):
        match = pattern.search(text)
        if match:
            suffix = text[match.end("num") : match.end()].strip(" ,")
            suffix = suffix if _fold(suffix) in ("bis", "ter", "quater", "a", "b", "c", "d") else ""
            number = match.group("num") + (f" {suffix.lower()}" if suffix else "")
            return number, text[match.end() :]
    match = _NUMBER_FIRST.match(text)
    if match:
        number = match.group(1) + (f" {match.group(2).lower()}" if match.group(2) else "")
        return number, text[match.end() :]
    street = _STREET_START.search(text)
    return "", text[street.start() :] if street else text


_TYPE_AND_PARTICLE = re.compile(
    rf"^(?P<type>{_STREET_TYPES})\b\s*(?:(?:de la|de l'|du|des|de|d'|la|le|les|l')\s*)?",
    re.IGNORECASE,
)
_SAME_TYPE = {"av": "avenue", "bd": "boulevard", "st": "street", "rd": "road"}


def _street_score(said: str, known: str) -> float:
    """How well a said street (folded) names a known one: the same kind of street (or none
    said) and a close name. "rue d'ivry" is not "rue de la république", whose "rue" a
    whole-string score would count; "rue dumange" is "rue dumenge", "rue dumenge au
    troisième" too."""
    said_type, said_name = _type_and_name(said)
    known_type, known_name = _type_and_name(known)
    if said_type and known_type and said_type != known_type:
        return 0.0
    if len(said_name) < 3 or not known_name:
        return 0.0
    return float(fuzz.partial_ratio(said_name, known_name))


def _type_and_name(folded: str) -> tuple[str, str]:
    match = _TYPE_AND_PARTICLE.match(folded)
    if not match:
        return "", folded
    kind = match.group("type").lower()
    return _SAME_TYPE.get(kind, kind), folded[match.end() :].strip()


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
    best = max(streets, key=lambda known: _street_score(_fold(rest), known))
    if _street_score(_fold(rest), best) < min_score:
        return None
    name, postcode, city, neighbourhood, lat, lon = streets[best]
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
