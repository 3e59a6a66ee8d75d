"""Calendar dates ("le 12 mars", "March 3rd", "15/04") read with dateparser.

dateparser is slow to set up (its first call per language loads locale data: tens of ms) and
still ~0.5 ms per call after that, so it only ever sees a span that a regex has already
recognised as a date, and its parser is built once per language and cached.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from dateparser.date import DateDataParser

from nlu.entities.numbers import COUNT_PATTERN, to_int

MONTHS_FR = (
    "janvier|janv|fevrier|fevr|fev|mars|avril|avr|mai|juin|juillet|juil|aout|septembre|sept"
    "|octobre|oct|novembre|nov|decembre|dec"
)
MONTHS_EN = (
    "january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug"
    "|september|sept|sep|october|oct|november|nov|december|dec"
)
_ORDINAL = r"(?:st|nd|rd|th|er|eme)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"

# Each pattern names `day`, `month` and optionally `year`; text is folded (no accents).
DATE_PATTERNS = [
    re.compile(
        rf"\b(?P<day>\d{{1,2}}|premier|{COUNT_PATTERN}){_ORDINAL}\s+(?:of\s+)?"
        rf"(?P<month>{MONTHS_FR}|{MONTHS_EN})\b\.?{_YEAR}"
    ),
    re.compile(rf"\b(?P<month>{MONTHS_EN})\s+(?:the\s+)?(?P<day>\d{{1,2}}){_ORDINAL}\b{_YEAR}"),
    # 12/03/2025 anywhere; 12/03 only after a word that announces a date ("4/5" is a rating)
    re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{2}|\d{4})\b"),
    re.compile(
        r"\b(?:le|du|au|on|the|for|until|jusqu'au|avant le|apres le|before|after|by|from|des|pour)"
        r"\s+(?P<day>\d{1,2})/(?P<month>\d{1,2})\b(?!/)(?P<year>)"
    ),
]


@lru_cache(maxsize=4)
def _parser(language: str) -> DateDataParser:
    # Day-month order for both languages: the service runs in France.
    return DateDataParser(
        languages=[language, "fr" if language == "en" else "en"],
        settings={"DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month"]},
    )


def parse_calendar_date(
    day: str, month: str, year: str | None, *, today: date, language: str
) -> date | None:
    """The date named by the parts, in the next twelve months when no year was said."""
    day_number = 1 if day == "premier" else to_int(day)
    if day_number is None or not 1 <= day_number <= 31:
        return None
    if month.isdigit():
        if not 1 <= int(month) <= 12:
            return None
        text = f"{day_number}/{int(month)}" + (f"/{year}" if year else "")
    else:
        text = f"{day_number} {month}" + (f" {year}" if year else "")
    found = _parser(language).get_date_data(text)
    if found.date_obj is None:
        return None
    result = found.date_obj.date()
    if not year:  # dateparser picks the current *real* year: re-anchor on `today`
        try:
            result = result.replace(year=today.year)
            if result < today:
                result = result.replace(year=today.year + 1)
        except ValueError:  # 29 February in a common year
            return None
    elif len(year) == 2:
        result = result.replace(year=2000 + int(year))
    return result


def warm_up(languages: tuple[str, ...] = ("fr", "en")) -> None:
    """Load dateparser's locale data now rather than during the first user's message."""
    for language in languages:
        _parser(language).get_date_data("12 mars" if language == "fr" else "12 March")
