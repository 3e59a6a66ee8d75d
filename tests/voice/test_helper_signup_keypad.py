"""A caller who only presses keys becomes a helper: the services three at a time with
"D'autres services" on 4, then how far and when, over real signed Twilio webhooks. Each step
asserts what is heard; the end, the helper profile stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.people.models import SERVICES, HelperProfile
from tests.voice.conftest import Line
from tests.voice.test_scripted_calls import YES_NO, Caller, known_caller

PAGE_ONE = [
    "Que pouvez-vous faire ? Dites-le, ou tapez une touche.",
    "Pour « Des courses », tapez 1. Pour « Une visite ou de la compagnie », tapez 2. "
    "Pour « Un accompagnement en voiture », tapez 3. Pour « D'autres services », tapez 4.",
]
PAGE_TWO = [
    "Voici d'autres services. Dites-le, ou tapez une touche.",
    "Pour « Du bricolage », tapez 1. Pour « De l'aide avec le téléphone ou l'ordinateur », "
    "tapez 2. Pour « Des papiers administratifs », tapez 3. Pour « D'autres services », tapez 4.",
]
ANOTHER = ["Voulez-vous ajouter un autre service ?", YES_NO]
RADIUS = [
    "Jusqu'à quelle distance de chez vous pouvez-vous aller ?",
    "Pour « 1 km », tapez 1. Pour « 3 km », tapez 2. Pour « 5 km », tapez 3.",
]
AVAILABILITY = [
    "Quand êtes-vous disponible ?",
    "Pour « En semaine, la journée », tapez 1. Pour « En semaine, le soir », tapez 2. "
    "Pour « Le week-end », tapez 3. Pour « N'importe quand », tapez 4.",
]


def _profile(line: Line) -> HelperProfile:
    return line.one(select(HelperProfile))


def _offers_help(caller: Caller) -> None:
    said = caller.keyed("2")  # "Je veux aider"
    assert said == ["Merci de vouloir aider vos voisins !", *PAGE_ONE]


def test_a_caller_becomes_a_helper_by_keypad_alone_in_five_keys(
    line: Line, session: Session
) -> None:
    caller = known_caller(line, session)
    _offers_help(caller)
    assert caller.keyed("1") == ["Noté : des courses.", *ANOTHER]
    assert caller.keyed("2") == RADIUS  # that is all
    assert caller.keyed("2") == AVAILABILITY  # 3 km
    said = caller.keyed("3")  # weekends
    assert said[0] == (
        "Merci ! Votre inscription pour aider est faite : des courses, jusqu'à 3 km. "
        "Je vous enverrai des propositions."
    )
    assert caller.keys <= 5

    profile = _profile(line)
    assert profile.service_ids == ["errands"]
    assert profile.radius_km == 3.0
    assert sorted({a.weekday for a in profile.availability}) == [5, 6]


def test_a_service_on_a_later_page_is_reached_with_key_4(line: Line, session: Session) -> None:
    caller = known_caller(line, session)
    _offers_help(caller)
    assert caller.keyed("4") == PAGE_TWO
    assert caller.keyed("1") == ["Noté : du bricolage.", *ANOTHER]
    # Another one: the first page again, without what is already chosen.
    said = caller.keyed("1")
    assert said[0] == PAGE_ONE[0]
    assert "Du bricolage" not in said[1] and "Pour « Des courses », tapez 1." in said[1]
    assert caller.keyed("2") == ["Noté : une visite ou de la compagnie.", *ANOTHER]
    assert caller.keyed("2") == RADIUS
    caller.keyed("1")  # 1 km
    caller.keyed("4")  # any time
    assert caller.keys <= 8
    profile = _profile(line)
    assert sorted(profile.service_ids) == ["companionship", "diy"]
    assert profile.radius_km == 1.0


def test_every_service_can_be_keyed_and_the_last_page_goes_back_to_the_first(
    line: Line, session: Session
) -> None:
    caller = known_caller(line, session)
    _offers_help(caller)
    read: list[str] = []
    for _ in range(len(SERVICES)):
        said = caller.keyed("4")
        if said == PAGE_ONE:
            break
        read += said[1:]
    else:
        raise AssertionError("key 4 never came back to the first page")
    heard = " ".join(read)
    assert "Pour « Revenir aux premiers services », tapez 4." in heard
    assert all(f"Pour « {label}" in heard for label in ("Du jardinage", "De l'aide aux devoirs"))
    assert heard.count(", tapez 4.") == len(read)  # one "4" a page, never a fifth key


def test_speech_still_works_beside_the_keys(line: Line, session: Session) -> None:
    caller = known_caller(line, session)
    _offers_help(caller)
    assert caller.says("je peux faire du jardinage") == ["Noté : du jardinage.", *ANOTHER]
    assert caller.says("non c'est tout") == RADIUS
