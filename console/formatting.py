"""How times and amounts read on the console (Paris time, French or English conventions)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_currency
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from backend.dispatch.rounds import NOBODY_AVAILABLE
from backend.privacy.erasure import HELPER_GONE
from backend.trust.service import REPORT_KIND_FR
from console.wording import Words

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


# Memos the backend writes itself, in English (backend/ledger): said in the page's language.
SYSTEM_MEMOS = (
    (re.compile(r"commission on job (?P<id>\d+)"), "memos.commission"),
    (re.compile(r"time credits for job (?P<id>\d+)"), "memos.time_credits"),
    (re.compile(r"refund of transfer (?P<id>\d+)"), "memos.refund"),
    (re.compile(r"time credits granted"), "memos.granted"),
)


def user_content(text: object) -> Markup:
    """What a person wrote or is called, marked as theirs: shown as it is, in whatever
    language it came (the pages' language checks leave it out)."""
    return Markup("<span data-user-content>{}</span>").format(text)


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


def shown_memo(text: str | None, t: Words) -> str:
    """`memo`, what a person typed marked as theirs."""
    said = memo(text, t)
    return user_content(said) if text and said == text else said


# Why a request waits for a dispatcher, as the backend and the engine store it (in French or
# in English, backend/requests/service.flag_for_dispatcher): said in the page's language.
_REPORT_KINDS = {words: kind.value for kind, words in REPORT_KIND_FR.items()}
FLAG_REASONS = {
    NOBODY_AVAILABLE: "req.flag_reasons.nobody_available",
    HELPER_GONE: "req.flag_reasons.helper_gone",
    "address to verify": "req.flag_reasons.address_to_verify",
    "the requester cannot be reached: tell them the safety word": (
        "req.flag_reasons.requester_unreachable"
    ),
    "appel coupé : demande à terminer avec la personne": "req.flag_reasons.call_dropped",
    "suivi après l'aide : pas de téléphone pour appeler": "req.flag_reasons.follow_up_no_phone",
    "suivi après l'aide : appel interrompu": "req.flag_reasons.follow_up_cut",
    "suivi après l'aide : réponse pas comprise": "req.flag_reasons.follow_up_misheard",
}
_REPORT = re.compile(r"Signalement n° (?P<id>\d+) : (?P<kind>.+)")
_WITH_DETAIL = (
    (
        re.compile(r"suivi après l'aide : appel sans réponse \((?P<detail>\w+)\)"),
        "follow_up_unanswered",
    ),
    (re.compile(r"paiement à régler : (?P<detail>.+)"), "payment_due"),
    (re.compile(r"dispatch failed: (?P<detail>.+)"), "dispatch_failed"),
)


def flag_reason(text: str | None, t: Words) -> str:
    """A request's flag reason in the page's language; one nobody foresaw shown as stored."""
    said = (text or "").strip()
    if said in FLAG_REASONS:
        return t(FLAG_REASONS[said])
    report = _REPORT.fullmatch(said)
    if report and report.group("kind") in _REPORT_KINDS:
        kind = t(f"people.report_kinds.{_REPORT_KINDS[report.group('kind')]}")
        return t("req.flag_reasons.report", id=report.group("id"), kind=kind)
    for pattern, key in _WITH_DETAIL:
        found = pattern.fullmatch(said)
        if found:
            return t(f"req.flag_reasons.{key}", detail=found.group("detail"))
    return said
