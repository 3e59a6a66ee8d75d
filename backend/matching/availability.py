"""Does a helper's weekly availability (local time, Europe/Paris) cover the requested time?

Slots are wall-clock windows ("Saturdays 14h-18h"), so the requested instants are converted to
Paris local time before comparing: the same UTC hour is 10h in winter and 11h in summer, and a
window on a daylight-saving day is cut into local days correctly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DAY_MINUTES = 24 * 60

# weekday -> sorted, merged (start_minute, end_minute) windows
WeeklySlots = dict[int, list[tuple[int, int]]]


class Fit(StrEnum):
    covers = "covers"  # the slot holds the whole job inside the window
    partly = "partly"  # some of the window, not enough for the job
    no = "no"  # nothing in the window
    now = "now"  # as soon as possible, and available right now
    today = "today"  # as soon as possible, later today
    tomorrow = "tomorrow"
    not_soon = "not_soon"  # neither today nor tomorrow
    unknown = "unknown"  # the helper gave no availability at all


@dataclass(frozen=True, slots=True)
class Segment:
    """The part of the requested window that falls on one local day."""

    day: date
    start: int  # minutes from local midnight
    end: int


@dataclass(frozen=True, slots=True)
class Availability:
    fit: Fit
    score: float
    day: date | None = None
    start: int = 0  # the helpful stretch, in local minutes of `day`
    end: int = 0


def merge_slots(rows: Iterable[tuple[int, int, int]]) -> WeeklySlots:
    """(weekday, start, end) rows -> per weekday, touching or overlapping windows joined, so
    "8h-12h" + "12h-18h" counts as one stretch of 10 hours."""
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in rows:
        by_day.setdefault(weekday, []).append((start, end))
    merged: WeeklySlots = {}
    for weekday, windows in by_day.items():
        windows.sort()
        out = [windows[0]]
        for start, end in windows[1:]:
            last_start, last_end = out[-1]
            if start <= last_end:
                out[-1] = (last_start, max(last_end, end))
            else:
                out.append((start, end))
        merged[weekday] = out
    return merged


def _minute_of(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def local_segments(start: datetime, end: datetime) -> list[Segment]:
    """Cut [start, end) into local Paris days; a week is enough since slots repeat weekly."""
    local_start, local_end = start.astimezone(PARIS), end.astimezone(PARIS)
    segments: list[Segment] = []
    day = local_start.date()
    while day <= local_end.date() and len(segments) < 7:
        seg_start = _minute_of(local_start) if day == local_start.date() else 0
        seg_end = _minute_of(local_end) if day == local_end.date() else DAY_MINUTES
        if seg_end > seg_start:
            segments.append(Segment(day, seg_start, seg_end))
        day += timedelta(days=1)
    return segments


def fit_window(slots: WeeklySlots, segments: list[Segment], needed: int) -> Availability:
    """The longest stretch of the window a slot covers, against the minutes the job needs."""
    if not slots:
        return Availability(Fit.unknown, 0.3)
    if not segments:
        return Availability(Fit.no, 0.0)
    needed = max(1, min(needed, max(s.end - s.start for s in segments)))
    best = Availability(Fit.no, 0.0, segments[0].day, segments[0].start, segments[0].end)
    best_len = 0
    for seg in segments:
        for slot_start, slot_end in slots.get(seg.day.weekday(), ()):
            start, end = max(seg.start, slot_start), min(seg.end, slot_end)
            if end - start > best_len:
                best_len = end - start
                fit = Fit.covers if best_len >= needed else Fit.partly
                best = Availability(fit, min(1.0, best_len / needed), seg.day, start, end)
    return best


def fit_asap(slots: WeeklySlots, now: datetime) -> Availability:
    """No time given means "as soon as possible": now beats later today beats tomorrow."""
    if not slots:
        return Availability(Fit.unknown, 0.3)
    local = now.astimezone(PARIS)
    today, minute = local.date(), _minute_of(local)
    for start, end in slots.get(today.weekday(), ()):
        if start <= minute < end:
            return Availability(Fit.now, 1.0, today, minute, end)
        if start > minute:
            hours = (start - minute) / 60
            return Availability(Fit.today, max(0.4, 0.9 - 0.04 * hours), today, start, end)
    tomorrow = today + timedelta(days=1)
    for start, end in slots.get(tomorrow.weekday(), ())[:1]:
        return Availability(Fit.tomorrow, 0.2, tomorrow, start, end)
    return Availability(Fit.not_soon, 0.0, today)


def requested_segments(
    window_start: datetime | None,
    window_end: datetime | None,
    duration_minutes: int | None,
    default_duration: int,
    now: datetime,
) -> tuple[list[Segment], int] | None:
    """The local-day segments of the requested window and the minutes needed, or None for
    "as soon as possible" (no window at all)."""
    if window_start is None and window_end is None:
        return None
    needed = duration_minutes or default_duration
    start = window_start or now
    end = window_end or start + timedelta(minutes=needed)
    return local_segments(start, end), needed
