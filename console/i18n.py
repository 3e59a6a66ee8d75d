"""The console's words in French (first) and English, from one catalogue per language.

Catalogues are nested YAML maps (`console/locales/fr.yml`, `en.yml`) flattened to dotted keys;
both must hold the same keys and placeholders (tests/console/test_console_i18n.py).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{dotted}."))
        else:
            flat[dotted] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, str]:
    text = resources.files("console").joinpath(f"locales/{language}.yml").read_text("utf-8")
    return _flatten(yaml.safe_load(text))


class Translator:
    """`t("nav.people")` or `t("people.found", count=3)`; a missing key shows itself."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._words = catalogue(self.language)

    def __call__(self, key: str, **values: object) -> str:
        text = self._words.get(key)
        if text is None:
            return key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._words


def pick_language(requested: str | None, cookie: str | None, accept: str | None) -> str:
    """An explicit choice, then the remembered one, then the browser's first known language."""
    for choice in (requested, cookie):
        if choice in LANGUAGES:
            return str(choice)
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
