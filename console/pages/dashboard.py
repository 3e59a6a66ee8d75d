"""How the neighbourhood is doing: figures over the last 7, 28 or 90 days, what is under way
right now, and four charts, each with its numbers as a table.

The figures come from backend.stats; this page only puts them in the reader's words and
number format (French "12,5 %", English "12.5%").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from backend.api_deps import SessionDep
from backend.db import utcnow
from backend.stats import NeighbourhoodStats, neighbourhood_stats
from console.charts import bar_chart, horizontal_bar_chart, proportion_bar
from console.formatting import PARIS, amount
from console.i18n import Translator
from console.session import Staff
from console.web import render, translator

router = APIRouter(prefix="/dashboard")

PERIODS = (7, 28, 90)
DEFAULT_DAYS = 28


def clock() -> datetime:
    """The moment the figures are judged at (tests replace it with a fixed one)."""
    return utcnow()


Now = Annotated[datetime, Depends(clock)]


class Numbers:
    """Numbers, percentages, minutes and days written the way of one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse("fr_FR" if language == "fr" else "en_GB")
        pattern = self.locale.percent_formats[None].pattern
        self._percent = pattern.replace("0", "0.#", 1)  # one decimal at most: 12,5 %

    def number(self, value: float) -> str:
        return format_decimal(value, format="#,##0.#", locale=self.locale)

    def percent(self, share: float | None) -> str:
        if share is None:
            return "—"
        return format_percent(share, format=self._percent, locale=self.locale)

    def minutes(self, value: float | None) -> str:
        """'12 min', '1 h 05' ('1h 5min' in English); a dash when there is nothing to measure."""
        return "—" if value is None else amount(round(value), "MIN", self.language)

    def day(self, day: date, pattern: str) -> str:
        return format_date(day, pattern, locale=self.locale)


@dataclass(frozen=True)
class Row:
    """One line of a chart's table: its label, then its values already written."""

    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    key: str  # for data-testid and the catalogue: dash.charts.<key>
    svg: Markup
    headers: tuple[str, ...]
    rows: tuple[Row, ...]  # empty: no data, the page says so instead of a table


def charts(stats: NeighbourhoodStats, t: Translator, n: Numbers) -> list[Chart]:
    empty = t("dash.no_data")
    per_day = [(d, n.day(d.day, "EEE d"), float(d.count)) for d in stats.per_day]
    per_service = sorted(
        (s for s in stats.per_service if s.count), key=lambda s: s.count, reverse=True
    )
    services = [(t(f"services.{s.service}"), float(s.count)) for s in per_service]
    accept = stats.time_to_accept
    weeks = [(w, n.day(w.week_start, "d MMM"), w.median_minutes) for w in accept.weekly]
    fulfilment = stats.fulfilment
    parts = [
        (t("dash.done"), fulfilment.done),
        (t("dash.cancelled"), fulfilment.cancelled),
        (t("dash.expired"), fulfilment.expired),
    ]
    closed = fulfilment.closed
    colon = t("punctuation.colon")  # " : " in French typography
    return [
        Chart(
            "per_day",
            bar_chart(
                [(label, value) for _, label, value in per_day] if stats.requests else [],
                title=t("dash.charts.per_day"),
                empty_text=empty,
                number=n.number,
                colon=colon,
            ),
            (t("dash.day"), t("dash.requests")),
            tuple(Row(n.day(d.day, "EEEE d MMMM"), (n.number(d.count),)) for d, _, _ in per_day)
            if stats.requests
            else (),
        ),
        Chart(
            "per_service",
            horizontal_bar_chart(
                services,
                title=t("dash.charts.per_service"),
                empty_text=empty,
                number=n.number,
                colon=colon,
            ),
            (t("dash.service"), t("dash.requests")),
            tuple(Row(label, (n.number(value),)) for label, value in services),
        ),
        Chart(
            "weekly_accept",
            bar_chart(
                [(label, value) for _, label, value in weeks] if accept.accepted else [],
                title=t("dash.charts.weekly_accept"),
                unit="min",
                empty_text=empty,
                number=n.number,
                colon=colon,
            ),
            (t("dash.week"), t("dash.accepted"), t("dash.median")),
            tuple(
                Row(
                    t("dash.week_of", day=n.day(w.week_start, "EEEE d MMMM")),
                    (n.number(w.accepted), n.minutes(w.median_minutes)),
                )
                for w, _, _ in weeks
            )
            if accept.accepted
            else (),
        ),
        Chart(
            "fulfilment",
            proportion_bar(
                parts,
                title=t("dash.charts.fulfilment"),
                empty_text=empty,
                number=n.number,
                percent=n.percent,
                colon=colon,
            ),
            (t("dash.outcome"), t("dash.requests"), t("dash.share")),
            tuple(Row(label, (n.number(v), n.percent(v / closed))) for label, v in parts)
            if closed
            else (),
        ),
    ]


def now_counts(stats: NeighbourhoodStats) -> list[tuple[str, int]]:
    """Under way now, by the queues of the requests page each links to (its `assigned`
    queue holds the jobs in progress too)."""
    now = stats.now
    return [
        ("open", now.open),
        ("offered", now.offered),
        ("assigned", now.assigned + now.in_progress),
        ("late", now.late),
    ]


def _period(days: str | None) -> int | None:
    if days is None:
        return DEFAULT_DAYS
    return int(days) if days.isdigit() and int(days) in PERIODS else None


@router.get("", response_class=HTMLResponse)
def dashboard_page(
    request: Request, session: SessionDep, _staff: Staff, now: Now, days: str | None = None
) -> Response:
    t = translator(request)
    period = _period(days)
    if period is None:
        # An unknown period is refused rather than guessed: the page offers the right ones.
        return render(
            request, "dashboard/bad_period.html", status_code=400, periods=PERIODS, days=None
        )
    stats = neighbourhood_stats(session, days=period, now=now)
    n = Numbers(t.language)
    return render(
        request,
        "dashboard/page.html",
        periods=PERIODS,
        days=period,
        stats=stats,
        n=n,
        first_day=n.day(stats.since.astimezone(PARIS).date(), "d MMMM y"),
        last_day=n.day(stats.until.astimezone(PARIS).date(), "d MMMM y"),
        now_counts=now_counts(stats),
        charts=charts(stats, t, n),
    )
