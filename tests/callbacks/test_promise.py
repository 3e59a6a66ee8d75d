"""The call-back promise said to a caller: within about two hours during the day (9 h - 19 h,
Paris), else the next morning; and how it is said."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.callbacks.service import PARIS, promised_by
from dialogues.flows.call_back import say_by


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (paris(1, 10, 5), paris(1, 12)),  # 1 h 55
        (paris(1, 10, 55), paris(1, 13)),  # 2 h 05
        (paris(1, 16, 0), paris(1, 18)),  # "avant 18 h"
        (paris(1, 17, 30), paris(1, 19)),  # the last promise of the day
        (paris(1, 17, 31), paris(2, 11)),  # too late for today: tomorrow morning
        (paris(1, 23, 0), paris(2, 11)),
        (paris(2, 6, 30), paris(2, 11)),  # before opening: this morning
    ],
)
def test_the_promise_is_about_two_hours_by_day_else_the_next_morning(
    now: datetime, due: datetime
) -> None:
    assert promised_by(now) == due


def test_the_promise_is_said_as_a_time_today_or_tomorrow_morning() -> None:
    assert say_by(paris(1, 18), paris(1, 16), "fr") == "avant 18 h"
    assert say_by(paris(2, 11), paris(1, 20), "fr") == "demain matin avant 11 h"
    assert say_by(paris(1, 18), paris(1, 16), "en") == "by 6 pm"
    assert say_by(paris(2, 11), paris(1, 20), "en") == "tomorrow morning by 11 am"
