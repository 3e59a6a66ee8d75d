"""The intent parser the engine uses: a Rasa server when configured, else the local model.

The local model is loaded (or trained, when missing or stale) on first use, not at import or
at start, so that a process that never parses pays nothing.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from coupdemain.settings import Settings
from nlu.artefact import load_or_train
from nlu.interface import IntentParser, ParseResult
from nlu.rasa_adapter import RasaParser

log = logging.getLogger("coupdemain.nlu")


class LazyLocalParser:
    def __init__(self, models_dir: Path) -> None:
        self._models_dir = models_dir
        self._parser: IntentParser | None = None
        self._lock = threading.Lock()

    def load(self) -> IntentParser:
        with self._lock:
            if self._parser is None:
                self._parser = load_or_train(self._models_dir, notify=log.warning)
            return self._parser

    def parse(
        self, text: str, *, now: datetime | None = None, lang: str | None = None
    ) -> ParseResult:
        return self.load().parse(text, now=now, lang=lang)


def models_dir(settings: Settings) -> Path:
    return settings.nlu_models_dir or settings.var_dir / "models" / "nlu"


def build_parser(settings: Settings) -> IntentParser:
    local = LazyLocalParser(models_dir(settings))
    if settings.rasa_url:
        log.info("intents from the Rasa server at %s (local model as fallback)", settings.rasa_url)
        return RasaParser(settings.rasa_url, fallback=local)
    return local
