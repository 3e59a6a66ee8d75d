"""How times and amounts read on the console (Paris time, French or English conventions)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_currency
from jinja2 import pass_context
from jinja2.runtime import Context

PARIS = ZoneInfo("Europe/Paris")


def local_time(value: datetime | None, language: str = "fr") -> str:
    if value is None:
        return "—"
    locale = "fr_FR" if language == "fr" else "en_GB"
    return format_datetime(value.astimezone(PARIS), "EEE d MMM HH:mm", locale=locale)


def amount(value: int | None, unit: str = "EUR", language: str = "fr") -> str:
    """Integer ledger amounts: cents of a euro, or minutes of time credits, the way of the
    page's language ('12,50 €' and '1 h 30' in French, '€12.50' and '1h 30min' in English)."""
    if value is None:
        return "—"
    if unit == "MIN":
        return duration(value, language)
    if language == "fr":
        euros, cents = divmod(abs(value), 100)
        return f"{'-' if value < 0 else ''}{euros},{cents:02d} €"
    return format_currency(Decimal(value) / 100, "EUR", locale="en_GB")


def duration(minutes: int, language: str = "fr") -> str:
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if not hours:
        return f"{sign}{rest} min"
    if language == "fr":
        return f"{sign}{hours} h {rest:02d}"
    return f"{sign}{hours}h {rest}min" if rest else f"{sign}{hours}h"  # typed back as such


def percent(value: float, language: str = "fr") -> str:
    """A whole percentage: '12 %' (with the narrow space of French typography), '12%'."""
    return f"{value:.0f}\u202f%" if language == "fr" else f"{value:.0f}%"


@pass_context
def money_filter(context: Context, value: int | None, unit: str = "EUR") -> str:
    """`{{ cents | money }}` in a template, in the language of the page being drawn."""
    return amount(value, unit, str(context.get("lang", "fr")))


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
