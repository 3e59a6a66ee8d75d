"""`now` is Wednesday 12 March 2025, 10:00 Europe/Paris (see conftest)."""

from __future__ import annotations

from datetime import datetime

import pytest

from nlu.entities.time_expressions import extract_times
from nlu.normalise import fold


def times(text: str, now: datetime, language: str = "fr") -> list[tuple[str, dict]]:
    return [
        (text[s:e], v)
        for s, e, v in extract_times(fold(text), now=now, language=language, claimed=[])
    ]


@pytest.mark.parametrize(
    ("text", "span", "start", "end", "grain"),
    [
        ("demain matin", "demain matin", "2025-03-13T08:00", "2025-03-13T12:00", "part_of_day"),
        ("samedi vers 14h", "samedi vers 14h", "2025-03-15T14:00", "2025-03-15T15:00", "hour"),
        (
            "next Tuesday afternoon",
            "next Tuesday afternoon",
            "2025-03-18T14:00",
            "2025-03-18T18:00",
            "part_of_day",
        ),
        ("Demain soir", "Demain soir", "2025-03-13T18:00", "2025-03-13T21:00", "part_of_day"),
        (
            "jeudi à trois heures de l'après-midi",
            "jeudi à trois heures de l'après-midi",
            "2025-03-13T15:00",
            "2025-03-13T16:00",
            "hour",
        ),
        (
            "à quatorze heures trente",
            "quatorze heures trente",
            "2025-03-12T14:30",
            "2025-03-12T15:30",
            "minute",
        ),
        (
            "entre 14h et 16h demain",
            "entre 14h et 16h demain",
            "2025-03-13T14:00",
            "2025-03-13T16:00",
            "hour",
        ),
        ("le 20 mars", "20 mars", "2025-03-20T00:00", "2025-03-21T00:00", "day"),
        ("March 3rd at 2pm", "March 3rd at 2pm", "2026-03-03T14:00", "2026-03-03T15:00", "hour"),
        ("ce week-end", "ce week-end", "2025-03-15T00:00", "2025-03-17T00:00", "weekend"),
        (
            "la semaine prochaine",
            "la semaine prochaine",
            "2025-03-17T00:00",
            "2025-03-24T00:00",
            "week",
        ),
        ("dans 2 heures", "dans 2 heures", "2025-03-12T12:00", "2025-03-12T13:00", "hour"),
        ("tomorrow 9am", "tomorrow 9am", "2025-03-13T09:00", "2025-03-13T10:00", "hour"),
        ("tout de suite", "tout de suite", "2025-03-12T10:00", "2025-03-12T11:00", "now"),
        ("at 3.30 tmrw", "at 3.30 tmrw", "2025-03-13T15:30", "2025-03-13T16:30", "minute"),
        ("sat morning?", "sat morning", "2025-03-15T08:00", "2025-03-15T12:00", "part_of_day"),
        ("hier soir", "hier soir", "2025-03-11T18:00", "2025-03-11T21:00", "part_of_day"),
    ],
)
def test_time_expressions_become_windows(
    text: str, span: str, start: str, end: str, grain: str, now: datetime
) -> None:
    ((found_span, value),) = times(text, now)
    assert found_span == span
    assert value["from"].startswith(start) and value["to"].startswith(end)
    assert value["grain"] == grain


def test_values_carry_the_paris_offset_across_daylight_saving(now: datetime) -> None:
    ((_, value),) = times("le 31 mars à 10h", now)
    assert value["from"] == "2025-03-31T10:00:00+02:00"  # summer time began on 30 March


def test_an_hour_already_past_today_means_tomorrow(now: datetime) -> None:
    ((_, value),) = times("à 8h", now)
    assert value["from"].startswith("2025-03-13T08:00")


def test_a_weekday_is_the_next_one_never_today(now: datetime) -> None:
    ((_, value),) = times("mercredi", now)
    assert value["from"].startswith("2025-03-19")


def test_a_naked_number_after_at_is_not_a_street_number(now: datetime) -> None:
    assert times("I live at 3 rue des Lilas", now, "en") == []
    assert times("j'ai 2 chats", now) == []


def test_slash_dates_need_a_cue_or_a_year_so_ratings_stay_ratings(now: datetime) -> None:
    ((span, value),) = times("le 15/04 si possible", now)
    assert span == "15/04" and value["from"].startswith("2025-04-15T00:00")
    ((span, _),) = times("until 02/01/2026", now, "en")
    assert span == "02/01/2026"
    assert times("5/5 ⭐⭐⭐⭐⭐", now) == [] and times("4/5, great job", now, "en") == []


def test_two_expressions_in_one_message_stay_apart(now: datetime) -> None:
    found = times("pas demain mais samedi matin", now)
    assert [span for span, _ in found] == ["demain", "samedi matin"]


@pytest.mark.parametrize(
    "text", ["okay goodbye now", "bonne soirée au revoir", "have a good evening", "4/5 super"]
)
def test_fillers_and_wishes_are_not_times(text: str, now: datetime) -> None:
    assert times(text, now) == []
