"""How times and amounts read on the console (Paris time, French or English conventions)."""

from __future__ import annotations

from datetime import datetime
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
