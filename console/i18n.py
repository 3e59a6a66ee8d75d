"""The console's words in French (first) and English, from one catalogue per language.

Each language is a folder of nested YAML maps, one file per page (`console/locales/fr/*.yml`),
flattened to dotted keys; both languages must hold the same keys and placeholders
(tests/console/test_console_i18n.py), and no key may be defined by two files.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from markupsafe import Markup, escape

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
    words: dict[str, str] = {}
    folder = resources.files("console").joinpath(f"locales/{language}")
    for part in sorted(folder.iterdir(), key=lambda p: p.name):
        if not part.name.endswith(".yml"):
            continue
        flat = _flatten(yaml.safe_load(part.read_text("utf-8")) or {})
        twice = words.keys() & flat.keys()
        if twice:
            raise ValueError(f"{part.name} defines keys already defined: {sorted(twice)}")
        words.update(flat)
    return words


class Translator:
    """`t("nav.people")` or `t("people.found", count=3)`; a missing key shows itself."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._words = catalogue(self.language)

    def __call__(self, key: str, **values: object) -> str:
        text = self._words.get(key)
        if text is None:
            return key
        if any(isinstance(v, Markup) for v in values.values()):
            # A value already marked up (a name marked as the user's, a link): the sentence
            # is escaped and keeps that markup, the other values escaped.
            return Markup(escape(text)).format(**values)
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
