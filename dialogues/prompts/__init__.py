"""The prompt catalogue: one YAML file per language, the same keys and placeholders in each."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@cache
def catalogue(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    with (HERE / f"{language}.yml").open(encoding="utf-8") as handle:
        data: dict[str, str] = yaml.safe_load(handle)
    return data


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Prompts:
    """`Prompts("fr").say("greeting_known", name="Jeanne")`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._texts = catalogue(self.language)

    def say(self, key: str, **values: Any) -> str:
        return self._texts[key].format(**values)

    def service(self, service_id: str | None) -> str:
        if not service_id:
            return self.say("ask_service")
        return self._texts.get(f"service.{service_id}", service_id)
