"""Availability: weekly slots in Paris wall-clock time against the requested time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from backend.matching.availability import (
    Fit,
    fit_asap,
    fit_window,
    local_segments,
    merge_slots,
    requested_segments,
)
from backend.matching.service import rank_helpers
from backend.people.schemas import AvailabilityIn
from tests.factories import make_helper, make_request, make_resident

SUNDAY = 6


def slot(weekday: int, start_h: float, end_h: float) -> AvailabilityIn:
    return AvailabilityIn(
        weekday=weekday, start_minute=int(start_h * 60), end_minute=int(end_h * 60)
    )


def test_touching_slots_merge_into_one_stretch() -> None:
    merged = merge_slots([(5, 480, 720), (5, 720, 1080), (5, 1200, 1260), (2, 600, 660)])
    assert merged == {5: [(480, 1080), (1200, 1260)], 2: [(600, 660)]}


def test_a_window_across_midnight_is_cut_into_local_days() -> None:
    # Friday 23:00 to Saturday 01:00 in Paris (UTC+1 in November).
    start = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
    segments = local_segments(start, start + timedelta(hours=2))
    assert [(s.day, s.start, s.end) for s in segments] == [
        (date(2026, 11, 20), 23 * 60, 24 * 60),
        (date(2026, 11, 21), 0, 60),
    ]


def test_the_same_utc_hour_is_a_different_local_hour_across_the_dst_change() -> None:
    slots = merge_slots([(SUNDAY, 10 * 60, 12 * 60)])
    # 29 March 2026: clocks go forward at 2:00, Paris is UTC+2 from then on.
    summer = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 in Paris
    winter = datetime(2026, 3, 22, 8, 0, tzinfo=UTC)  # 09:00 in Paris
    on_dst_day = fit_window(slots, local_segments(summer, summer + timedelta(hours=2)), 120)
    week_before = fit_window(slots, local_segments(winter, winter + timedelta(hours=2)), 120)
    assert on_dst_day.fit == Fit.covers and on_dst_day.score == 1.0
    assert (on_dst_day.start, on_dst_day.end) == (600, 720)
    assert week_before.fit == Fit.partly and week_before.score == 0.5  # only 10:00-11:00


def test_a_window_on_the_dst_night_keeps_wall_clock_hours() -> None:
    # 01:00 to 04:00 local on 29 March lasts two real hours: 01:00 CET then 03:00 CEST.
    start = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    (segment,) = local_segments(start, start + timedelta(hours=2))
    assert (segment.start, segment.end) == (60, 4 * 60)


def test_the_job_needs_its_duration_inside_the_window() -> None:
    slots = merge_slots([(4, 14 * 60, 15 * 60)])
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # Friday 13:00-17:00 in Paris
    wanted = requested_segments(start, start + timedelta(hours=4), 60, 60, start)
    assert wanted is not None
    assert fit_window(slots, *wanted).fit == Fit.covers  # one hour needed, one hour free
    wanted = requested_segments(start, start + timedelta(hours=4), 120, 60, start)
    assert wanted is not None
    half = fit_window(slots, *wanted)
    assert half.fit == Fit.partly and half.score == 0.5


def test_as_soon_as_possible_prefers_now_then_today_then_tomorrow() -> None:
    now = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)  # Friday 11:30 in Paris
    friday, saturday, monday = 4, 5, 0
    assert fit_asap(merge_slots([(friday, 600, 780)]), now).fit == Fit.now
    today = fit_asap(merge_slots([(friday, 900, 1080)]), now)
    tomorrow = fit_asap(merge_slots([(saturday, 540, 720)]), now)
    later = fit_asap(merge_slots([(monday, 540, 720)]), now)
    assert today.fit == Fit.today and tomorrow.fit == Fit.tomorrow and later.fit == Fit.not_soon
    assert 1.0 > today.score > tomorrow.score > later.score == 0.0
    assert fit_asap({}, now).fit == Fit.unknown


def test_ranking_reads_slots_in_paris_time_on_a_dst_day(session: Session) -> None:
    requester = make_resident(session)
    sunday_morning = make_helper(session, "Dimanche matin", availability=[slot(SUNDAY, 10, 12)])
    sunday_early = make_helper(session, "Dimanche tôt", availability=[slot(SUNDAY, 8, 10)])
    start = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 10:00-12:00 in Paris, summer time
    request = make_request(
        session, requester, window_start=start, window_end=start + timedelta(hours=2)
    )
    ranked = rank_helpers(session, request, now=start - timedelta(days=1))
    assert [c.helper_id for c in ranked] == [sunday_morning.id, sunday_early.id]
    reasons = {c.helper_id: c.factors[1] for c in ranked}
    assert reasons[sunday_morning.id].reason_fr == "disponible dimanche 10h-12h"
    assert reasons[sunday_morning.id].reason_en == "available Sunday 10:00-12:00"
    assert reasons[sunday_early.id].reason_fr == "pas disponible dimanche 10h-12h"


def test_ranking_as_soon_as_possible_weighs_today(session: Session) -> None:
    now = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)  # Friday 11:30 in Paris
    requester = make_resident(session)
    later = make_helper(session, "Ce soir", availability=[slot(4, 18, 21)])
    tomorrow = make_helper(session, "Demain", availability=[slot(5, 9, 12)])
    right_now = make_helper(session, "Tout de suite", availability=[slot(4, 11, 14.5)])
    request = make_request(session, requester)
    ranked = rank_helpers(session, request, now=now)
    assert [c.helper_id for c in ranked] == [right_now.id, later.id, tomorrow.id]
    reasons = [c.factors[1].reason_fr for c in ranked]
    assert reasons == [
        "disponible maintenant, jusqu'à 14h30",
        "disponible aujourd'hui 18h-21h",
        "disponible demain 9h-12h",
    ]


def test_late_sunday_slots_survive_the_trip_from_the_database(session: Session) -> None:
    requester = make_resident(session)
    night_owl = make_helper(session, "Noctambule", availability=[slot(SUNDAY, 23, 24)])
    start = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)  # Sunday 23:00 in Paris
    request = make_request(
        session, requester, window_start=start, window_end=start + timedelta(hours=1)
    )
    (candidate,) = rank_helpers(session, request, now=start - timedelta(hours=5))
    assert candidate.helper_id == night_owl.id
    assert candidate.factors[1].reason_fr == "disponible dimanche 23h-24h"
