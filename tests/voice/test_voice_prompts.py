"""The phone line's words exist in every language, with the same placeholders."""

from __future__ import annotations

from dialogues.prompts import LANGUAGES, catalogue, placeholders


def test_every_language_has_the_same_keys_and_placeholders() -> None:
    french = catalogue("fr")
    for language in LANGUAGES:
        texts = catalogue(language)
        assert set(texts) == set(french), language
        for key, template in french.items():
            assert placeholders(texts[key]) == placeholders(template), (language, key)


def test_no_phone_prompt_uses_a_placeholder_named_like_an_argument_of_say() -> None:
    """`Prompts.say(key, **values)`: a `{key}` placeholder could never be filled."""
    for language in LANGUAGES:
        for template in catalogue(language).values():
            assert "key" not in placeholders(template)
