"""Saying dates, times, places and money the way a person would hear them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from dialogues.prompts import Prompts

PARIS = ZoneInfo("Europe/Paris")

_PARTS = {
    "fr": {"morning": "matin", "noon": "midi", "afternoon": "après-midi", "evening": "soir"},
    "en": {
        "morning": "morning",
        "noon": "around noon",
        "afternoon": "afternoon",
        "evening": "evening",
    },
}
_TODAY_PARTS = {
    "fr": {
        "morning": "ce matin",
        "noon": "ce midi",
        "afternoon": "cet après-midi",
        "evening": "ce soir",
    },
    "en": {
        "morning": "this morning",
        "noon": "today around noon",
        "afternoon": "this afternoon",
        "evening": "this evening",
    },
}
_RELATIVE = {
    "fr": {0: "aujourd'hui", 1: "demain", 2: "après-demain"},
    "en": {0: "today", 1: "tomorrow", 2: "the day after tomorrow"},
}


def _part_of_day(start: datetime, end: datetime) -> str | None:
    hours = (start.hour, end.hour)
    return {(8, 12): "morning", (12, 14): "noon", (14, 18): "afternoon", (18, 21): "evening"}.get(
        hours
    )


def _hour(moment: datetime, language: str) -> str:
    if language == "fr":
        return f"{moment.hour} h" if moment.minute == 0 else f"{moment.hour} h {moment.minute:02d}"
    suffix = "am" if moment.hour < 12 else "pm"
    hour = moment.hour % 12 or 12
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"


def say_day(moment: datetime, now: datetime, language: str) -> str:
    local, today = moment.astimezone(PARIS), now.astimezone(PARIS).date()
    delta = (local.date() - today).days
    relative = _RELATIVE.get(language, _RELATIVE["fr"])
    if delta in relative:
        return relative[delta]
    return format_date(local.date(), "EEEE d MMMM", locale=language)


def say_window(start: datetime | None, end: datetime | None, now: datetime, language: str) -> str:
    """'demain matin', 'samedi 28 novembre à 14 h', 'dès que possible'."""
    if start is None:
        return Prompts(language).say("when_asap")
    local_start = start.astimezone(PARIS)
    local_end = (end or start + timedelta(hours=1)).astimezone(PARIS)
    day = say_day(local_start, now, language)
    span = local_end - local_start
    if span >= timedelta(hours=20):
        return day
    part = _part_of_day(local_start, local_end)
    if part:
        if local_start.date() == now.astimezone(PARIS).date():
            return _TODAY_PARTS.get(language, _TODAY_PARTS["fr"])[part]
        return f"{day} {_PARTS.get(language, _PARTS['fr'])[part]}"
    at = "à" if language == "fr" else "at"
    if span <= timedelta(hours=1):
        return f"{day} {at} {_hour(local_start, language)}"
    between = "entre {a} et {b}" if language == "fr" else "between {a} and {b}"
    return f"{day} " + between.format(a=_hour(local_start, language), b=_hour(local_end, language))


def say_euros(cents: int, language: str) -> str:
    euros, rest = divmod(cents, 100)
    if language == "fr":
        return f"{euros} euros" if not rest else f"{euros},{rest:02d} euros"
    return f"{euros} euros" if not rest else f"{euros}.{rest:02d} euros"
