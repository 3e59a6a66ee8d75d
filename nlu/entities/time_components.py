"""The pieces a time expression is made of, found by regex in folded text.

"samedi vers 14h" is a weekday piece and an hour piece; "demain matin" a day piece and a
part-of-day piece. `time_expressions` then groups neighbouring pieces and turns each group
into a window. Patterns run on folded text (lowercase, no accents), so "après-midi" is
written "apres-midi" here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from nlu.entities.calendar_dates import DATE_PATTERNS, parse_calendar_date
from nlu.entities.numbers import COUNT_PATTERN, NUMBER_PATTERN, to_int

# Windows for the parts of the day (start hour, end hour).
PARTS_OF_DAY = {"morning": (8, 12), "noon": (12, 14), "afternoon": (14, 18), "evening": (18, 21)}

WEEKDAYS = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "tues": 1,
    "weds": 2,
    "thurs": 3,
}


@dataclass
class Piece:
    """One recognised piece; only the fields of its `kind` are set."""

    kind: str  # day | weekday | date | part | hour | range | week | weekend | now | relative
    start: int
    end: int
    day_offset: int = 0
    weekday: int = 0
    calendar_date: date | None = None
    part: str = ""
    hour: int = 0
    minute: int | None = None
    meridiem: str = ""  # "am" | "pm" | "" when not said
    end_hour: int = 0
    end_minute: int = 0
    end_meridiem: str = ""
    minutes_ahead: int = 0  # relative: "dans 2 heures" -> 120


_DAY_WORDS = [
    (r"apres[- ]demain|the day after tomorrow|day after tomorrow", "day", 2, ""),
    (r"aujourd'?\s?hui|aujourdhui|auj|ajd|today|2day", "day", 0, ""),
    (r"demain|tomorrow|tmrw|tmr|dem1", "day", 1, ""),
    (r"avant[- ]hier|the day before yesterday", "day", -2, ""),
    (r"hier|yesterday", "day", -1, ""),
    (r"hier soir|last night|yesterday evening", "day", -1, "evening"),
    (r"ce soir|tonight|tonite|this evening", "day", 0, "evening"),
    (r"ce matin|this morning", "day", 0, "morning"),
    (r"cet apres[- ]?midi|cet aprem|this afternoon", "day", 0, "afternoon"),
    (r"ce midi|this lunchtime", "day", 0, "noon"),
]
_PART_WORDS = [
    (r"(?:du |le |en )?matin(?:ee)?s?|(?:in the )?mornings?", "morning"),
    (r"(?:de l'|l'|en )?apres[- ]?midis?|(?:l')?aprem|(?:in the )?afternoons?", "afternoon"),
    (r"(?:du |le |en )?soir(?:ee)?s?|(?:in the )?evenings?", "evening"),
    (r"(?:a l'heure du |au )dejeuner|lunchtime|at lunch", "noon"),
]
_ABBREVIATIONS = {
    "mon": "monday",
    "tue": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "fri": "friday",
    "sat": "saturday",
    "sun": "sunday",
}
_MERIDIEM = r"(?P<mer>a\.?m\.?|p\.?m\.?)"
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MINUTE_WORDS = {
    "et demie": 30,
    "et demi": 30,
    "et quart": 15,
    "moins le quart": -15,
    "moins quart": -15,
}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "range",
        re.compile(
            r"\b(?:entre|de|from|between)\s+"
            r"(?P<h1>\d{1,2})\s*(?P<u1>h|heures?|:)?\s*(?P<m1>\d{2})?\s*(?P<mer1>am|pm)?\s*"
            r"(?:et|a|and|to|-|jusqu'a)\s*"
            r"(?P<h2>\d{1,2})\s*(?P<u2>h|heures?|:)?\s*(?P<m2>\d{2})?\s*(?P<mer2>am|pm)?(?!\w)"
        ),
    ),
    (
        "relative",
        re.compile(
            r"\b(?:dans|d'ici|in|within)\s+(?:(?P<n>"
            + NUMBER_PATTERN
            + r"|quelques|a few|few)\s+)?"
            r"(?P<unit>minutes?|mins?|heures?|hours?|hrs?|jours?|days?|semaines?|weeks?)\b"
        ),
    ),
    (
        "now",
        re.compile(
            r"\b(?:tout de suite|la maintenant|des maintenant|immediatement|des que possible"
            r"|au plus vite|right now|right away|immediately|as soon as possible|asap)\b"
        ),
    ),
    ("weekend", re.compile(r"\b(?:ce |le |this |the |next )?week[- ]?end\b")),
    ("week", re.compile(r"\b(?:la semaine prochaine|next week)\b")),
    (
        "weekday",
        re.compile(
            r"\b(?:(?P<this>this|ce|next|coming)\s+)?(?P<wd>" + _WEEKDAY_RE + r")s?\b"
            r"(?:\s+(?P<next>prochain|qui vient))?"
            # "sat", "fri": only before a part of the day or an hour ("sat morning")
            r"|\b(?P<abbr>mon|tue|wed|thu|fri|sat|sun)\b(?=\s+(?:morning|afternoon|evening"
            r"|night|\d))"
        ),
    ),
    (
        "hour",
        re.compile(  # 14h, 14h30, 14 h 30, 9 heures, 14:30, 2pm, 2:30 pm
            r"(?<![\d/.,])\b(?P<h>\d{1,2})\s*(?:h|heures?|:)\s*(?P<m>\d{2})?\s*"
            + _MERIDIEM
            + r"?(?!\w)|(?<![\d/.,])\b(?P<h2>\d{1,2})\s*"
            + _MERIDIEM.replace("mer", "mer2")
            + r"(?!\w)"
        ),
    ),
    (
        "hour_words",
        re.compile(  # quatorze heures trente, trois heures et demie
            r"\b(?P<h>" + NUMBER_PATTERN + r")\s+heures?"
            r"(?:\s+(?P<m>et demie?|et quart|moins le quart|moins quart|" + COUNT_PATTERN + r"))?\b"
        ),
    ),
    (  # English "at 3.30" (a dot, as typed in Britain); "£3.30" has no "at"
        "at_dotted",
        re.compile(r"\bat\s+(?P<h>\d{1,2})\.(?P<m>[0-5]\d)\b\s*" + _MERIDIEM + r"?"),
    ),
    ("oclock", re.compile(r"\b(?P<h>" + NUMBER_PATTERN + r")\s*o'?clock\b")),
    (
        "past",
        re.compile(
            r"\b(?P<q>half|quarter|"
            + COUNT_PATTERN
            + r")\s+(?P<rel>past|to)\s+(?P<h>"
            + COUNT_PATTERN
            + r")\b"
        ),
    ),
    (
        "at_number",
        re.compile(  # English "at 3" when nothing after it makes it a street number
            r"\bat\s+(?P<h>" + COUNT_PATTERN + r")(?=\s*(?:$|[,.!?;]|\s(?:on|tomorrow|today|tonight"
            r"|this|next|please|pls|if|and|or|then|in the|is|would|could)\b))"
        ),
    ),
    (
        "midday",
        re.compile(r"\b(?P<w>midi|minuit|noon|midnight)(?:\s+(?P<m>et demie?|et quart))?\b"),
    ),
]
_WISH_BEFORE = re.compile(r"\b(?:bonne|bon|belle|good|nice|lovely|great)\s+$")
_DAY_RES = [(re.compile(r"\b(?:" + p + r")\b"), off, part) for p, _, off, part in _DAY_WORDS]
_PART_RES = [(re.compile(r"\b(?:" + p + r")\b"), part) for p, part in _PART_WORDS]


def _hour_piece(m: re.Match[str], kind: str) -> Piece | None:
    start, end = m.span()
    minute_value: int | None
    if kind == "at_dotted":
        hour, minute_value = int(m.group("h")), int(m.group("m"))
        mer = m.group("mer") or ""
        mer = "pm" if mer.startswith("p") else "am" if mer else ""
    elif kind == "hour":
        if m.group("h") is not None:
            hour, minute, mer = int(m.group("h")), m.group("m"), m.group("mer") or ""
            minute_value = int(minute) if minute else None
        else:
            hour, minute_value, mer = int(m.group("h2")), None, m.group("mer2") or ""
        mer = "pm" if mer.startswith("p") else "am" if mer else ""
    elif kind in ("hour_words", "oclock"):
        hour = to_int(m.group("h")) or 0
        word = m.groupdict().get("m")
        minute_value = _MINUTE_WORDS.get(word, to_int(word) if word else None) if word else None
        mer = ""
        if minute_value is not None and minute_value < 0:  # "trois heures moins le quart"
            hour, minute_value = hour - 1, 60 + minute_value
    elif kind == "past":
        hour = to_int(m.group("h")) or 0
        q = m.group("q")
        minutes = 30 if q == "half" else 15 if q == "quarter" else (to_int(q) or 0)
        if m.group("rel") == "to":
            hour, minutes = hour - 1, 60 - minutes
        minute_value, mer = minutes, ""
    elif kind == "at_number":
        hour, minute_value, mer = to_int(m.group("h")) or 0, None, ""
    else:  # midday
        hour = 12 if m.group("w") in ("midi", "noon") else 0
        word = m.group("m")
        minute_value, mer = (_MINUTE_WORDS.get(word) if word else None), ""
    if not 0 <= hour <= 24 or (minute_value is not None and not 0 <= minute_value < 60):
        return None
    return Piece("hour", start, end, hour=hour % 24, minute=minute_value, meridiem=mer)


def _range_piece(m: re.Match[str]) -> Piece | None:
    marked = any(m.group(g) for g in ("u1", "u2", "mer1", "mer2"))
    if not marked:  # "de 2 à 3 personnes" is not a time
        return None
    h1, h2 = int(m.group("h1")), int(m.group("h2"))
    mer2 = m.group("mer2") or ""
    mer1 = m.group("mer1") or (mer2 if h1 <= h2 else "")
    if h1 > 24 or h2 > 24:
        return None
    return Piece(
        "range",
        *m.span(),
        hour=h1,
        minute=int(m.group("m1") or 0),
        meridiem=mer1,
        end_hour=h2,
        end_minute=int(m.group("m2") or 0),
        end_meridiem=mer2,
    )


def _relative_piece(m: re.Match[str]) -> Piece | None:
    n_word = m.group("n")
    n = 3 if n_word in ("quelques", "a few", "few") else (to_int(n_word) if n_word else 1)
    if n is None:
        return None
    unit = m.group("unit")
    per_unit = (
        1
        if unit.startswith("min")
        else 60
        if unit.startswith(("h", "heure"))
        else 60 * 24 * 7
        if unit.startswith(("sem", "week"))
        else 60 * 24
    )
    return Piece("relative", *m.span(), minutes_ahead=n * per_unit)


def find_pieces(folded: str, *, today: date, language: str) -> list[Piece]:
    """Every candidate piece; overlaps are resolved by `select_pieces`."""
    pieces: list[Piece] = []
    for regex, offset, part in _DAY_RES:
        for m in regex.finditer(folded):
            pieces.append(Piece("day", *m.span(), day_offset=offset, part=part))
    for regex, part in _PART_RES:
        for m in regex.finditer(folded):
            if _WISH_BEFORE.search(folded[max(0, m.start() - 12) : m.start()]):
                continue  # "bonne soirée", "good evening": a wish, not a time
            pieces.append(Piece("part", *m.span(), part=part))
    for kind, regex in _PATTERNS:
        for m in regex.finditer(folded):
            piece: Piece | None
            if kind == "range":
                piece = _range_piece(m)
            elif kind == "relative":
                piece = _relative_piece(m)
            elif kind in ("now", "week", "weekend"):
                piece = Piece(kind, *m.span())
            elif kind == "weekday":
                # "prochain"/"next" and a bare weekday both mean the next one to come
                day = m.group("wd") or _ABBREVIATIONS[m.group("abbr")]
                piece = Piece("weekday", *m.span(), weekday=WEEKDAYS[day])
            else:
                piece = _hour_piece(m, kind)
            if piece is not None:
                pieces.append(piece)
    for regex in DATE_PATTERNS:  # cheap regexes first: dateparser only sees real dates
        for m in regex.finditer(folded):
            found = parse_calendar_date(
                m.group("day"), m.group("month"), m.group("year"), today=today, language=language
            )
            if found is not None:  # the span starts at the date, not at a cue word before it
                start = min(m.start("day"), m.start("month"))
                pieces.append(Piece("date", start, m.end(), calendar_date=found))
    return pieces


def select_pieces(pieces: list[Piece], claimed: list[tuple[int, int]]) -> list[Piece]:
    """Longest pieces first, no overlaps with each other or with spans already claimed."""
    taken = list(claimed)
    chosen: list[Piece] = []
    for piece in sorted(pieces, key=lambda p: (p.start - p.end, p.start)):
        if all(piece.end <= s or piece.start >= e for s, e in taken):
            chosen.append(piece)
            taken.append((piece.start, piece.end))
    return sorted(chosen, key=lambda p: p.start)
