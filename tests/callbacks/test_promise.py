"""The call-back promise said to a caller: within about two hours during the day (9 h - 19 h,
Paris), else the next morning; an emergency within half an hour, else first thing; how it is
said; emergencies listed first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from backend.callbacks.service import PARIS, ask_again, open_callback, open_tasks, promised_by
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


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (paris(1, 10, 0), paris(1, 10, 30)),  # on the quarter: exactly 30 minutes
        (paris(1, 10, 1), paris(1, 10, 45)),  # rounded up to the next quarter hour
        (paris(1, 18, 30), paris(1, 19)),  # the last of the day
        (paris(1, 18, 31), paris(2, 9, 30)),  # too late for today: first thing tomorrow
        (paris(2, 3, 0), paris(2, 9, 30)),  # in the night: first thing this morning
    ],
)
def test_an_emergency_is_promised_within_half_an_hour_by_day_else_first_thing(
    now: datetime, due: datetime
) -> None:
    assert promised_by(now, urgent=True) == due


def test_an_emergency_after_an_ordinary_task_of_the_call_makes_it_urgent_and_sooner(
    session: Session,
) -> None:
    now = paris(1, 10, 5)
    ordinary, _ = open_callback(
        session, key="voice:CA1", phone="+33478000001", reason="asked_for_human", now=now
    )
    assert ordinary.due_by == paris(1, 12)
    same, created = open_callback(
        session, key="voice:CA1", phone="+33478000001", reason="emergency", now=now
    )
    assert same.id == ordinary.id and not created
    assert (same.reason, same.due_by) == ("emergency", paris(1, 10, 45))


def test_emergencies_are_listed_first_then_the_most_overdue(session: Session) -> None:
    early = paris(1, 9, 40)  # due by 12 h, after the one opened at 8 h (due by 11 h)
    open_callback(session, key="a", phone="+33478000002", reason="asked_for_human", now=early)
    open_callback(session, key="b", phone="+33478000003", reason="emergency", now=paris(1, 16))
    open_callback(session, key="c", phone="+33478000004", reason="misunderstood", now=paris(1, 8))
    assert [t.key for t in open_tasks(session)] == ["b", "c", "a"]


def test_asking_again_keeps_the_first_promise_unless_an_emergency_makes_it_sooner(
    session: Session,
) -> None:
    task, _ = open_callback(
        session, key="voice:CA2", phone="+33478000005", reason="asked_for_human", now=paris(1, 10)
    )
    ask_again(task, paris(1, 14), reason="misunderstood", last_words="  allo   allo ")
    assert (task.asked, task.reason, task.due_by, task.last_words) == (
        2,
        "asked_for_human",
        paris(1, 12),  # overdue, and kept: not the 16 h a new task would be promised
        "allo allo",
    )
    ask_again(task, paris(1, 11), reason="emergency")
    assert (task.asked, task.reason, task.due_by) == (3, "emergency", paris(1, 11, 30))
    assert task.last_words == "allo allo"  # nothing new said: the last words stay
