from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu import FALLBACK_INTENT, IntentParser, Interpreter
from nlu.interface import RANKING_LENGTH
from nlu.model import NluModel


def assert_rasa_shape(result: dict, text: str) -> None:
    """Exactly Rasa's /model/parse keys (plus our `language`), with valid entity offsets."""
    assert set(result) == {"text", "intent", "intent_ranking", "entities", "language"}
    assert result["text"] == text
    assert set(result["intent"]) == {"name", "confidence"}
    assert isinstance(result["intent"]["name"], str)
    assert 0.0 <= result["intent"]["confidence"] <= 1.0
    ranking = result["intent_ranking"]
    assert 1 <= len(ranking) <= RANKING_LENGTH
    assert all(set(r) == {"name", "confidence"} for r in ranking)
    real = [r["confidence"] for r in ranking if r["name"] != FALLBACK_INTENT]
    assert real == sorted(real, reverse=True)
    for entity in result["entities"]:
        assert {"entity", "value", "start", "end", "extractor"} <= set(entity)
        assert 0 <= entity["start"] < entity["end"] <= len(text)
    json.dumps(result)  # serialisable as is


def test_the_local_model_is_an_intent_parser(interpreter: Interpreter) -> None:
    assert isinstance(interpreter, IntentParser)


def test_parse_answers_in_rasa_format(interpreter: Interpreter, now: datetime) -> None:
    text = "j'ai besoin de quelqu'un pour faire mes courses demain matin"
    result = interpreter.parse(text, now=now)
    assert_rasa_shape(result, text)
    assert result["intent"]["name"] == "request_help"
    assert result["intent"] == result["intent_ranking"][0]
    assert result["language"] == "fr"


def test_entity_offsets_point_at_the_words(interpreter: Interpreter, now: datetime) -> None:
    text = "Euh bonjour, j'aurais besoin qu'on fasse mes COURSES samedi vers 14h svp"
    entities = {e["entity"]: e for e in interpreter.parse(text, now=now)["entities"]}
    service, time = entities["service"], entities["time"]
    assert "COURSES" in text[service["start"] : service["end"]]  # "mes COURSES" is fine too
    assert service["value"] == "errands"
    assert text[time["start"] : time["end"]] == "samedi vers 14h"
    assert time["value"]["from"] == "2025-03-15T14:00:00+01:00"


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("jai besoin de qqn pr mes courrses", "errands"),
        ("qui peut m'aider pour le jardinage", "gardening"),
        ("need someone for shoping tomorrow", "errands"),
    ],
)
def test_service_survives_typos(interpreter: Interpreter, text: str, service: str) -> None:
    services = [e for e in interpreter.parse(text)["entities"] if e["entity"] == "service"]
    assert services and services[0]["value"] == service


def test_english_time_is_normalised(interpreter: Interpreter, now: datetime) -> None:
    text = "Could someone walk my dog next Tuesday afternoon?"
    result = interpreter.parse(text, now=now)
    assert result["language"] == "en"
    (time,) = [e for e in result["entities"] if e["entity"] == "time"]
    assert time["value"] == {
        "from": "2025-03-18T14:00:00+01:00",
        "to": "2025-03-18T18:00:00+01:00",
        "grain": "part_of_day",
    }


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("bonjour je voudrais de l'aide", "fr"),
        ("hello I would like some help", "en"),
        ("merci beaucoup", "fr"),
        ("thank you very much", "en"),
        ("merci bcp 🙏", "fr"),
        ("👍", "fr"),  # nothing to tell: the default language
    ],
)
def test_language_is_detected(interpreter: Interpreter, text: str, language: str) -> None:
    assert interpreter.parse(text)["language"] == language


def test_a_given_language_is_not_second_guessed(interpreter: Interpreter) -> None:
    assert interpreter.parse("ok", lang="en")["language"] == "en"


def test_below_the_threshold_the_intent_is_nlu_fallback(model: NluModel) -> None:
    strict = Interpreter(model, fallback_threshold=1.01)  # nothing reaches it
    result = strict.parse("bonjour")
    assert result["intent"] == {"name": FALLBACK_INTENT, "confidence": 1.01}
    assert result["intent_ranking"][0]["name"] == FALLBACK_INTENT
    assert result["intent_ranking"][1]["name"] == "greet"  # the real intents still follow


def test_ambiguity_threshold_falls_back_when_two_intents_are_close(model: NluModel) -> None:
    strict = Interpreter(model, ambiguity_threshold=1.01)
    assert strict.parse("bonjour")["intent"]["name"] == FALLBACK_INTENT


BAD_INPUTS = [
    "",
    "   ",
    "x" * 10_000,
    "j'ai besoin d'aide pour mes courses " * 300,
    "\x00\x01\x02\xff\ufffd garbage \x1b[31m",
    "你好，我需要帮助",
    "Ich brauche Hilfe beim Einkaufen, bitte",
    "🙂🙂🙂",
    "\ud800 lone surrogate",
    "9" * 500,
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_still_gets_a_valid_answer(interpreter: Interpreter, text: str) -> None:
    assert_rasa_shape(interpreter.parse(text), text)


@pytest.mark.parametrize("text", ["", "   ", "你好", "\x00\x01"])
def test_nothing_to_understand_is_a_fallback(interpreter: Interpreter, text: str) -> None:
    result = interpreter.parse(text)
    assert result["intent"]["name"] == FALLBACK_INTENT
    assert len(result["intent_ranking"]) > 1  # still ranks the real intents


@pytest.mark.parametrize("text", ["grmbl zzz", "zgrouf blorg", "xqwv brzk"])
def test_words_the_model_never_saw_are_a_fallback_not_a_guess(
    interpreter: Interpreter, text: str
) -> None:
    # Letter n-grams of invented words match the training data by chance.
    assert interpreter.parse(text)["intent"]["name"] == FALLBACK_INTENT


def test_a_typo_beside_a_known_word_is_still_understood(interpreter: Interpreter) -> None:
    assert interpreter.parse("mrci beaucoup")["intent"]["name"] != FALLBACK_INTENT


def test_non_string_input_is_tolerated(interpreter: Interpreter) -> None:
    assert interpreter.parse(None)["text"] == ""  # type: ignore[arg-type]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_gets_a_valid_answer(interpreter: Interpreter, text: str) -> None:
    assert_rasa_shape(interpreter.parse(text), text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                "demain",
                "matin",
                "à",
                "14h",
                "courses",
                "pour",
                "10",
                "euros",
                "pendant",
                "2",
                "heures",
                "rue",
                "Victor",
                "Hugo",
                "madame",
                "Martin",
                "next",
                "Tuesday",
                "gratuit",
                "jardinage",
                "samedi",
                "vers",
                ",",
                "  ",
                "É",
                "l'après-midi",
            ]
        ),
        max_size=15,
    )
)
def test_entities_never_overlap_and_match_their_text(
    interpreter: Interpreter, words: list[str]
) -> None:
    text = " ".join(words)
    entities = interpreter.parse(text)["entities"]
    spans = sorted((e["start"], e["end"]) for e in entities)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start
    for e in entities:
        assert text[e["start"] : e["end"]].strip() == text[e["start"] : e["end"]]


@pytest.mark.parametrize(
    "text", ["bonjour", "jai besoin de qqn pr mes courrses 👍", "", "你好", "a a a a b"]
)
def test_the_fast_row_vectoriser_matches_scikit_learn(model: NluModel, text: str) -> None:
    from nlu.features import RowVectoriser
    from nlu.normalise import normalise

    expected = model.vectoriser.transform([normalise(text)]).toarray()[0]
    row = RowVectoriser(model.vectoriser).transform(normalise(text))
    got = np.zeros_like(expected, dtype=float)
    got[row.indices] = row.values
    np.testing.assert_allclose(got, expected, atol=1e-6)
