"""The hotline remembers, per caller, what helps them: keys said first for a caller the
speech recogniser kept misunderstanding, a slower voice for one who asked for it. Real
signed Twilio webhooks; what is heard, the TwiML itself, and what is stored."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from backend.people.models import PhonePreferences
from backend.people.phone_preferences import save_phone_preferences
from bots.voice.simulator import Heard
from tests.console.console_helpers import log_in, make_staff
from tests.factories import make_resident
from tests.voice.conftest import DISPATCHER, Line, new_landline
from tests.voice.voice_data import greeted

NORMAL = 'rate="slow"'  # the line's usual pace (bots/voice/render.py)
SLOWER = 'rate="x-slow"'
MENU_KEYS_FIRST = (
    "Tapez 1 pour « J'ai besoin d'un coup de main », 2 pour « Je veux aider », "
    "3 pour « Où en est ma demande ? », 0 pour « Parler à quelqu'un », ou dites-le."
)


def _germaine(session: Session) -> tuple[int, str]:
    number = new_landline()
    germaine = make_resident(session, "Germaine Roux", phone=number, lat=45.7745, lon=4.8320)
    session.commit()
    return germaine.id, number


def _one_call(line: Line, number: str, **answer: str) -> None:
    """A whole call: greeted, one answer (`digits=` or `speech=`), hung up."""
    call = greeted(line, number)
    call.answer(**answer)
    call.hang_up()


def _preferences(line: Line, person_id: int) -> PhonePreferences | None:
    with line.factory() as s:
        return s.get(PhonePreferences, person_id)


def test_a_caller_misunderstood_until_the_keypad_then_hears_the_keys_first_next_call(
    line: Line, session: Session
) -> None:
    person_id, number = _germaine(session)
    first = line.call(number)
    heard = first.start()
    assert "Pour « J'ai besoin d'un coup de main », tapez 1." in heard.text  # speech first
    first.answer(speech="j'ai besoin d'aide pour mes courses")  # when? (speech first)
    heard = first.answer(speech="blblbl")
    assert heard.said[0] == "Pardon, je n'ai pas compris."
    heard = first.answer(speech="ouh la la")
    assert heard.said[0].startswith("Vous pouvez aussi répondre avec les touches")
    assert heard.said[-1].startswith("Pour « Aujourd'hui », tapez 1.")
    before_keys = _preferences(line, person_id)
    assert before_keys is None or not before_keys.keypad_first
    first.answer(digits="2")  # "Demain": the keypad got her through
    first.hang_up()
    stored = _preferences(line, person_id)
    assert stored is not None and stored.keypad_first and stored.keypad_calls == 1

    second = line.call(number)
    heard = second.start()
    assert heard.said[:2] == [
        "Bonjour Germaine ! Ici Coup de main.",
        "Que puis-je faire pour vous ?",
    ]
    assert MENU_KEYS_FIRST in heard.said
    assert "tapez 1." not in heard.text  # not the speech-first wording any more
    heard = second.answer(speech="j'ai besoin de quelqu'un pour mes courses demain matin")
    assert "Tapez 1 pour « Oui », 2 pour « Non », ou dites-le." in heard.said
    assert NORMAL in heard.xml and SLOWER not in heard.xml  # the pace was not touched


def test_a_caller_who_keys_answers_at_once_is_not_made_keypad_first_by_one_call(
    line: Line, session: Session
) -> None:
    person_id, number = _germaine(session)
    _one_call(line, number, digits="1")
    stored = _preferences(line, person_id)
    assert stored is None or not stored.keypad_first
    heard = line.call(number).start()
    assert "Pour « J'ai besoin d'un coup de main », tapez 1." in heard.text


def test_parlez_plus_lentement_slows_this_call_and_the_next(line: Line, session: Session) -> None:
    person_id, number = _germaine(session)
    call = line.call(number)
    heard = call.start()
    assert NORMAL in heard.xml and SLOWER not in heard.xml
    assert heard.gather is not None and heard.gather["timeout"] == "6"
    assert heard.gather["speechTimeout"] == "auto"

    heard = call.answer(speech="parlez plus lentement s'il vous plaît")
    assert heard.said[0] == "D'accord, je vais parler plus lentement."
    assert heard.said[1] == "Que puis-je faire pour vous ?"  # the question again
    assert SLOWER in heard.xml and NORMAL not in heard.xml
    assert heard.gather is not None
    assert (heard.gather["timeout"], heard.gather["speechTimeout"]) == ("10", "3")
    heard = call.answer(speech="j'ai besoin de quelqu'un pour mes courses demain matin")
    assert SLOWER in heard.xml and NORMAL not in heard.xml  # for the rest of the call
    assert "D'accord, je vais parler plus lentement." not in heard.said  # said once
    call.hang_up()
    stored = _preferences(line, person_id)
    assert stored is not None and stored.slow_speech and not stored.keypad_first

    heard = line.call(number).start()
    assert heard.said[0] == "Bonjour Germaine ! Ici Coup de main."
    assert SLOWER in heard.xml and NORMAL not in heard.xml
    assert heard.gather is not None and heard.gather["timeout"] == "10"


def test_two_repeats_in_a_call_slow_the_voice_down(line: Line, session: Session) -> None:
    person_id, number = _germaine(session)
    call = greeted(line, number)
    heard = call.answer(digits="9")
    assert heard.said[0] == "Que puis-je faire pour vous ?" and NORMAL in heard.xml
    heard = call.answer(speech="vous pouvez répéter")
    assert heard.said[0] == "Que puis-je faire pour vous ?"
    assert SLOWER in heard.xml
    stored = _preferences(line, person_id)
    assert stored is not None and stored.slow_speech and stored.repeats == 2


def test_a_retried_webhook_counts_nothing_twice(line: Line, session: Session) -> None:
    person_id, number = _germaine(session)
    call = greeted(line, number)
    asked = call.last
    heard = call.answer(digits="9")
    call.last = asked  # Twilio retries the same request (same turn URL)
    again = call.answer(digits="9")
    assert again.xml == heard.xml
    stored = _preferences(line, person_id)
    assert stored is not None and stored.repeats == 1 and not stored.slow_speech


def test_a_caller_we_do_not_know_yet_is_slowed_down_within_the_call(line: Line) -> None:
    call = line.call(new_landline())
    heard = call.start()
    assert heard.gather is not None and NORMAL in heard.xml
    heard = call.answer(speech="moins vite s'il vous plaît")
    assert heard.said[0] == "D'accord, je vais parler plus lentement."
    assert SLOWER in heard.xml


def test_the_console_shows_what_was_learned_and_a_reset_gives_the_usual_line_back(
    line: Line, session: Session
) -> None:
    person_id, number = _germaine(session)
    make_staff(session, "claire")
    session.commit()
    _one_call(line, number, speech="parlez plus lentement")

    # The hotline's public URL is HTTPS, so the console's cookies are Secure.
    line.client.base_url = "https://testserver"  # type: ignore[assignment]
    csrf = log_in(line.client, "claire")
    page = line.client.get(f"/console/people/{person_id}").text
    assert "<dt>Au téléphone</dt>" in page
    shown = page.split('data-testid="phone-preferences">')[1].split("</dd>")[0]
    assert shown.strip().startswith("parole lente")
    assert "1 demande(s) de répétition" in shown
    reset = line.client.post(
        f"/console/people/{person_id}/phone-preferences/reset", data={"csrf": csrf}
    )
    assert "Préférences téléphoniques oubliées" in reset.text
    assert _preferences(line, person_id) is None

    heard = line.call(number).start()
    assert NORMAL in heard.xml and SLOWER not in heard.xml


# ---------------------------------------------------------------- keypad first: the whole line
SERVICES_KEYS_FIRST = [
    "De quoi avez-vous besoin ?",  # no "Dites-le, ou tapez une touche." before the keys
    "Tapez 1 pour « Des courses », 2 pour « Une visite ou de la compagnie », "
    "3 pour « Un accompagnement en voiture », 4 pour « Autre chose », ou dites-le.",
]


def _known_to_need_keys(session: Session, person_id: int, *, slow: bool = False) -> None:
    """What two calls of keyed answers left (phone_habits: KEYPAD_CALLS)."""
    save_phone_preferences(
        session, person_id, keypad_first=True, slow_speech=slow, keypad_calls=2, repeats=0
    )
    session.commit()


def _germaine_needing_keys(session: Session) -> str:
    """Germaine, known to need the keys first: her number."""
    person_id, number = _germaine(session)
    _known_to_need_keys(session, person_id)
    return number


def _speech_first(heard: Heard) -> list[str]:
    """Sentences that put speech before the keys: "Pour « X », tapez 1", "Dites-le, ou..."."""
    return [s for s in heard.said if "», tapez" in s or "Dites-le, ou tapez" in s]


def test_a_keypad_first_caller_misunderstood_is_given_the_keys_at_once_not_asked_to_repeat(
    line: Line, session: Session
) -> None:
    number = _germaine_needing_keys(session)
    call = line.call(number)
    assert MENU_KEYS_FIRST in call.start().said
    heard = call.answer(speech="blblbl")
    assert heard.said == [
        "Je n'ai pas compris. Tapez plutôt une touche.",
        "Que puis-je faire pour vous ?",
        MENU_KEYS_FIRST,
    ]
    heard = call.answer(speech="blblbl")
    assert heard.said == [
        "Je n'ai toujours pas compris. Tapez une touche, ou 0 pour parler à quelqu'un.",
        "Que puis-je faire pour vous ?",
        MENU_KEYS_FIRST,
    ]
    assert call.answer(digits="1").said == SERVICES_KEYS_FIRST
    heard = call.answer()  # a silence
    assert heard.said == ["Je n'ai rien entendu. Tapez plutôt une touche.", *SERVICES_KEYS_FIRST]
    assert call.answer(digits="1").said[-1].startswith("Tapez 1 pour « Aujourd'hui »")


def test_a_caller_not_known_for_keys_is_still_asked_again_by_speech_first(
    line: Line, session: Session
) -> None:
    _, number = _germaine(session)
    call = greeted(line, number)
    call.answer(digits="1")
    heard = call.answer(speech="blblbl")
    assert heard.said[0] == "Pardon, je n'ai pas compris."
    assert heard.said[1] == "De quoi avez-vous besoin ? Dites-le, ou tapez une touche."


def test_every_question_a_keypad_first_caller_hears_leads_with_its_keys(
    line: Line, session: Session
) -> None:
    number = _germaine_needing_keys(session)
    call = line.call(number)
    heard = call.start()
    asked = [heard]
    # Errands, tomorrow, morning, at home, nothing to add, volunteer, yes: booked.
    for digits in ("1", "1", "2", "1", "1", "#", "1", "1"):
        heard = call.answer(digits=digits)
        asked.append(heard)
    assert heard.said[0].startswith("C'est noté !")
    for turn in asked[:-1]:
        keys = [s for s in turn.said if s.startswith("Tapez ") and s.endswith(", ou dites-le.")]
        assert len(keys) == 1 and not _speech_first(turn), turn.said


def test_a_slower_voice_is_every_sentence_of_the_next_call_goodbyes_included(
    line: Line, session: Session
) -> None:
    person_id, number = _germaine(session)
    _one_call(line, number, speech="parlez plus lentement")

    call = line.call(number)
    heard = [call.start(), call.answer(digits="0")]  # a person, please
    assert heard[-1].dialled == [DISPATCHER]
    heard.append(call.after_dial("completed"))  # they talked: goodbye
    assert heard[-1].said and heard[-1].hung_up
    for turn in heard:
        rates = set(re.findall(r'rate="([^"]+)"', turn.xml))
        assert rates == {"x-slow"}, turn.xml
    assert heard[0].gather is not None and heard[0].gather["timeout"] == "10"
