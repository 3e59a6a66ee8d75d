"""How times and amounts read on the console (Paris time, French or English conventions)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

PARIS = ZoneInfo("Europe/Paris")


def local_time(value: datetime | None, language: str = "fr") -> str:
    if value is None:
        return "—"
    locale = "fr_FR" if language == "fr" else "en_GB"
    return format_datetime(value.astimezone(PARIS), "EEE d MMM HH:mm", locale=locale)


def amount(value: int | None, unit: str = "EUR") -> str:
    """Integer ledger amounts: cents of a euro, or minutes of time credits."""
    if value is None:
        return "—"
    if unit == "MIN":
        hours, minutes = divmod(abs(value), 60)
        sign = "-" if value < 0 else ""
        return f"{sign}{hours} h {minutes:02d}" if hours else f"{sign}{minutes} min"
    euros, cents = divmod(abs(value), 100)
    sign = "-" if value < 0 else ""
    return f"{sign}{euros},{cents:02d} €"


class Words(Protocol):
    def __call__(self, key: str, **values: object) -> str: ...


# Memos the backend writes itself, in English (backend/ledger): said in the page's language.
SYSTEM_MEMOS = (
    (re.compile(r"commission on job (?P<id>\d+)"), "memos.commission"),
    (re.compile(r"time credits for job (?P<id>\d+)"), "memos.time_credits"),
    (re.compile(r"refund of transfer (?P<id>\d+)"), "memos.refund"),
    (re.compile(r"time credits granted"), "memos.granted"),
)


def memo(text: str | None, t: Words) -> str:
    """A ledger memo as the dispatcher reads it: the backend's own wording translated (the
    request it names is linked beside it), what a person typed kept as typed."""
    if not text:
        return "—"
    for pattern, key in SYSTEM_MEMOS:
        found = pattern.fullmatch(text.strip())
        if found:
            return t(key, **found.groupdict())
    return text
