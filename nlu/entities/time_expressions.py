"""The `time` entity: group neighbouring pieces and turn each group into a window.

Value: `{"from": iso, "to": iso, "grain": str}`, a half-open window in `now`'s timezone.
Rules (documented in nlu/interface.py too):
- a part of the day is a window: morning 08-12, noon 12-14, afternoon 14-18, evening 18-21;
- a bare hour is a one-hour window; "entre 14h et 16h" is 14-16;
- an hour from 1 to 7 with no "am", "du matin" or part of the day means the afternoon
  (nobody books a neighbour for 3 a.m.);
- a weekday (with or without "prochain"/"next") is the next one to come, never today;
- without a day, a window that has already ended today moves to tomorrow;
- a day alone is the whole day, "ce week-end" Saturday-Sunday, "la semaine prochaine" next
  Monday to Sunday; "dans 2 heures" / "in 3 days" count from `now`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from nlu.entities.time_components import PARTS_OF_DAY, Piece, find_pieces, select_pieces

# What may stand between two pieces of one expression: "samedi vers 14h", "demain, le matin".
# Not "et"/"and": "samedi et dimanche" are two days.
_CONNECTOR_RE = re.compile(
    r"^[\s,]*(?:(?:a|vers|at|around|about|on|le|la|de|du|en|in|the|this|ce|cet|cette"
    r"|sur les|for|environ|autour de|plutot|rather|dans|l'|d')[\s,]*)*$"
)
_MAX_GAP = 24


def _group(pieces: list[Piece], folded: str) -> list[list[Piece]]:
    groups: list[list[Piece]] = []
    for piece in pieces:
        if groups:
            last = groups[-1][-1]
            gap = folded[last.end : piece.start]
            kinds = {p.kind for p in groups[-1]}
            if (
                len(gap) <= _MAX_GAP
                and _CONNECTOR_RE.match(gap)
                and not (piece.kind in kinds and piece.kind != "part")
            ):
                groups[-1].append(piece)
                continue
        groups.append([piece])
    return groups


def _hour24(hour: int, meridiem: str, part: str) -> int:
    if meridiem == "pm" or part in ("afternoon", "evening"):
        return hour + 12 if hour < 12 else hour
    if meridiem == "am" or part == "morning":
        return 0 if hour == 12 and meridiem == "am" else hour
    return hour + 12 if 1 <= hour <= 7 else hour


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def resolve(group: list[Piece], now: datetime) -> dict[str, Any] | None:
    """The window a group of pieces names, or None when it names none."""
    today = now.date()
    by_kind = {p.kind: p for p in group}

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        # wall-clock arithmetic in now's timezone: 14h stays 14h across a DST change
        return datetime.combine(day, time(0), tzinfo=now.tzinfo) + timedelta(
            hours=hour, minutes=minute
        )

    def first_day(hour: int, minute: int = 0) -> date:
        # no day said: today if that moment is still ahead, else tomorrow
        return day or (today if at(today, hour, minute) > now else today + timedelta(days=1))

    if "now" in by_kind and len(by_kind) == 1:
        return _window(now, now + timedelta(hours=1), "now")
    if "relative" in by_kind:
        target = now + timedelta(minutes=by_kind["relative"].minutes_ahead)
        if by_kind["relative"].minutes_ahead >= 60 * 24:
            target_day = target.date()
            return _window(at(target_day, 0), at(target_day + timedelta(days=1), 0), "day")
        return _window(target, target + timedelta(hours=1), "hour")
    if "week" in by_kind:
        monday = today + timedelta(days=7 - today.weekday())
        return _window(at(monday, 0), at(monday + timedelta(days=7), 0), "week")

    day: date | None = None
    part = ""
    if "date" in by_kind:
        day = by_kind["date"].calendar_date
    elif "weekday" in by_kind:
        day = _next_weekday(today, by_kind["weekday"].weekday)
    elif "day" in by_kind:
        day = today + timedelta(days=by_kind["day"].day_offset)
        part = by_kind["day"].part
    if "part" in by_kind:
        part = by_kind["part"].part
    if "weekend" in by_kind and day is None:
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today - timedelta(days=1)
        return _window(at(saturday, 0), at(saturday + timedelta(days=2), 0), "weekend")

    if "range" in by_kind:
        r = by_kind["range"]
        start_h = _hour24(r.hour, r.meridiem, part)
        end_h = _hour24(r.end_hour, r.end_meridiem or r.meridiem, part)
        if end_h <= start_h:
            end_h = start_h + 1
        start_day = first_day(start_h, r.minute or 0)
        return _window(
            at(start_day, start_h, r.minute or 0), at(start_day, end_h, r.end_minute), "hour"
        )
    if "hour" in by_kind:
        h = by_kind["hour"]
        hour = _hour24(h.hour, h.meridiem, part)
        minute = h.minute or 0
        start = at(first_day(hour, minute), hour, minute)
        return _window(start, start + timedelta(hours=1), "minute" if h.minute else "hour")
    if part:
        begin, end = PARTS_OF_DAY[part]
        start_day = first_day(end)
        return _window(at(start_day, begin), at(start_day, end), "part_of_day")
    if day is not None:
        return _window(at(day, 0), at(day + timedelta(days=1), 0), "day")
    if "now" in by_kind:
        return _window(now, now + timedelta(hours=1), "now")
    return None


def _window(start: datetime, end: datetime, grain: str) -> dict[str, Any]:
    return {"from": start.isoformat(), "to": end.isoformat(), "grain": grain}


def extract_times(
    folded: str, *, now: datetime, language: str, claimed: list[tuple[int, int]]
) -> list[tuple[int, int, dict[str, Any]]]:
    """(start, end, value) for each time expression; `claimed` spans are left alone."""
    pieces = select_pieces(find_pieces(folded, today=now.date(), language=language), claimed)
    found = []
    for group in _group(pieces, folded):
        value = resolve(group, now)
        if value is not None:
            found.append((group[0].start, group[-1].end, value))
    return found
