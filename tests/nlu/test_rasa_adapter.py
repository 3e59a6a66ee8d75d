from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import httpx
import pytest

from nlu import IntentParser, Interpreter
from nlu.rasa_adapter import RasaParser, RasaUnavailable

RASA_ANSWER = {
    "text": "faire mes courses demain matin",
    "intent": {"name": "request_help", "confidence": 0.97, "id": 123},
    "entities": [
        {
            "entity": "service",
            "start": 10,
            "end": 17,
            "value": "errands",
            "extractor": "DIETClassifier",
            "confidence_entity": 0.99,
            "processors": ["EntitySynonymMapper"],
        },
        {
            "entity": "time",
            "start": 18,
            "end": 30,
            "value": "demain matin",
            "extractor": "DIETClassifier",
            "confidence_entity": 0.95,
        },
    ],
    "intent_ranking": [
        {"name": "request_help", "confidence": 0.97, "id": 123},
        {"name": "offer_help", "confidence": 0.02, "id": 456},
    ],
    "text_tokens": [[0, 5]],
}


def rasa(handler: Callable[[httpx.Request], httpx.Response]) -> RasaParser:
    transport = httpx.MockTransport(handler)
    return RasaParser("http://rasa.test:5005/", client=httpx.Client(transport=transport))


def test_the_adapter_is_an_intent_parser() -> None:
    assert isinstance(rasa(lambda r: httpx.Response(200, json=RASA_ANSWER)), IntentParser)


def test_answer_is_passed_through_in_our_shape(now: datetime) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=RASA_ANSWER)

    result = rasa(handler).parse("faire mes courses demain matin", now=now)
    assert str(seen[0].url) == "http://rasa.test:5005/model/parse"
    assert json.loads(seen[0].content) == {"text": "faire mes courses demain matin"}
    assert result["intent"] == {"name": "request_help", "confidence": 0.97}
    assert [r["name"] for r in result["intent_ranking"]] == ["request_help", "offer_help"]
    service, time = result["entities"]
    assert service["value"] == "errands" and service["extractor"] == "DIETClassifier"
    # DIET only returns the words: the adapter gives them the local model's window.
    assert time["value"]["from"] == "2025-03-13T08:00:00+01:00"


def test_server_error_falls_back_to_the_local_model(interpreter: Interpreter) -> None:
    parser = RasaParser(
        "http://rasa.test",
        fallback=interpreter,
        client=httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(500, text="boom"))
        ),
    )
    result = parser.parse("bonjour")
    assert result["intent"]["name"] == "greet" and result["language"] == "fr"


def test_server_down_without_fallback_is_a_clear_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(RasaUnavailable, match="unreachable"):
        rasa(refuse).parse("bonjour")


def test_timeout_is_reported_as_such() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    with pytest.raises(RasaUnavailable, match="did not answer in time"):
        rasa(slow).parse("bonjour")


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"entities": [{"entity": "x"}]}'])
def test_malformed_answers_are_errors(body: str) -> None:
    with pytest.raises(RasaUnavailable):
        rasa(lambda r: httpx.Response(200, text=body)).parse("bonjour")


def test_rasa_null_intent_for_empty_text_becomes_fallback() -> None:
    answer = {
        "text": "",
        "intent": {"name": None, "confidence": 0.0},
        "entities": [],
        "intent_ranking": [],
    }
    result = rasa(lambda r: httpx.Response(200, json=answer)).parse("")
    assert result["intent"] == {"name": "nlu_fallback", "confidence": 0.0}
