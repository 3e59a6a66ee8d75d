"""`RasaParser`: the `IntentParser` interface backed by a Rasa server's `POST /model/parse`.

Rasa answers in the format we already speak; this adapter checks the answer's shape, adds
`language`, and — since DIET returns `time`, `price` and `duration` as the raw words — gives
those entities the same normalised values as the local model (`normalise_values=True`).
When the server is down, slow or answers nonsense, the adapter uses the `fallback` parser
if it was given one (the local model, typically) and raises `RasaUnavailable` otherwise.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from nlu.entities.amounts import extract_durations, extract_prices
from nlu.entities.time_expressions import extract_times
from nlu.interface import FALLBACK_INTENT, Entity, IntentParser, IntentPrediction, ParseResult
from nlu.interpreter import DEFAULT_TIMEZONE, analysed_part
from nlu.normalise import fold

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """The Rasa server could not answer; the message says what went wrong and where."""


class RasaParser:
    """Parse through a Rasa server.

    Args:
        url: the server's base URL, e.g. `http://127.0.0.1:5005`.
        timeout: seconds for connecting and for the whole answer.
        fallback: a parser to use when the server fails (else `RasaUnavailable` is raised).
        token: Rasa's `--auth-token`, if the server was started with one.
        client: an `httpx.Client` to reuse (tests pass one with a mock transport).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 2.0,
        fallback: IntentParser | None = None,
        token: str | None = None,
        normalise_values: bool = True,
        timezone: str = DEFAULT_TIMEZONE,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.fallback = fallback
        self.normalise_values = normalise_values
        self.timezone = ZoneInfo(timezone)
        self._params = {"token": token} if token else {}
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout, connect=timeout))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RasaParser:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def parse(
        self, text: str, *, now: datetime | None = None, lang: str | None = None
    ) -> ParseResult:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        try:
            answer = self._post(analysed_part(text))
            result = _validated(answer, text)
        except RasaUnavailable as exc:
            if self.fallback is None:
                raise
            log.warning("%s; answering with the local model", exc)
            return self.fallback.parse(text, now=now, lang=lang)
        if lang:
            result["language"] = lang
        if self.normalise_values:
            anchor = now or datetime.now(self.timezone)
            if anchor.tzinfo is None:
                anchor = anchor.replace(tzinfo=self.timezone)
            result["entities"] = _normalised(result["entities"], text, anchor, lang or "fr")
        return result

    def _post(self, text: str) -> Any:
        endpoint = f"{self.url}/model/parse"
        try:
            response = self._client.post(endpoint, json={"text": text}, params=self._params)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa at {endpoint} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa at {endpoint} unreachable: {exc}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(
                f"Rasa at {endpoint} answered {response.status_code}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable(
                f"Rasa at {endpoint} answered something that is not JSON"
            ) from exc


def _validated(answer: Any, text: str) -> ParseResult:
    """Rasa's answer in our TypedDict, or RasaUnavailable if it is not shaped like one."""
    if not isinstance(answer, dict):
        raise RasaUnavailable(f"unexpected answer from Rasa: {str(answer)[:200]}")
    intent = answer.get("intent") or {}
    name = intent.get("name") or FALLBACK_INTENT  # Rasa gives null for an empty text
    ranking: list[IntentPrediction] = [
        {"name": str(r["name"]), "confidence": float(r.get("confidence", 0.0))}
        for r in answer.get("intent_ranking") or []
        if isinstance(r, dict) and r.get("name")
    ]
    entities: list[Entity] = []
    for e in answer.get("entities") or []:
        try:
            entity: Entity = {
                "entity": str(e["entity"]),
                "value": e.get("value"),
                "start": int(e["start"]),
                "end": int(e["end"]),
                "extractor": str(e.get("extractor", "rasa")),
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise RasaUnavailable(f"malformed entity from Rasa: {e!r}") from exc
        if "confidence_entity" in e:
            entity["confidence_entity"] = float(e["confidence_entity"])
        entities.append(entity)
    return {
        "text": text,
        "intent": {"name": str(name), "confidence": float(intent.get("confidence") or 0.0)},
        "intent_ranking": ranking,
        "entities": entities,
    }


_RULES = {
    "time": lambda folded, now, lang: extract_times(folded, now=now, language=lang, claimed=[]),
    "price": lambda folded, now, lang: extract_prices(folded),
    "duration": lambda folded, now, lang: extract_durations(folded),
}


def _normalised(entities: list[Entity], text: str, now: datetime, lang: str) -> list[Entity]:
    """Give Rasa's raw `time`/`price`/`duration` words our structured values where we can."""
    folded = fold(analysed_part(text))
    for entity in entities:
        rule = _RULES.get(entity["entity"])
        if rule is None or isinstance(entity["value"], dict):
            continue
        overlapping = [
            value
            for start, end, value in rule(folded, now, lang)
            if start < entity["end"] and end > entity["start"]
        ]
        if overlapping:
            entity["value"] = overlapping[0]
    return entities
