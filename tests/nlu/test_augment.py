"""The augmented training variants (nlu/augment.py): voice-style and typed-with-typos."""

from __future__ import annotations

import random

from nlu.augment import augment, typo_variant, voice_variant
from nlu.normalise import normalise


def test_voice_variant_drops_punctuation_and_emojis_and_keeps_the_words() -> None:
    text = normalise("Bonjour ! Qqn pour mes courses demain ? 🙏")
    for seed in range(20):
        variant = voice_variant(text, "fr", random.Random(seed))
        assert "?" not in variant and "!" not in variant and "emo_" not in variant
        assert "courses" in variant.split() or "demain" in variant.split()


def test_wrapped_voice_variants_sometimes_greet_and_thank() -> None:
    text = "je voudrais changer l'heure de demain"
    variants = [voice_variant(text, "fr", random.Random(s), wrap=True) for s in range(60)]
    assert any(v.startswith(("allo", "oui bonjour", "bonjour", "salut")) for v in variants)
    assert any("merci" in v for v in variants)
    unwrapped = [voice_variant(text, "fr", random.Random(s)) for s in range(60)]
    assert not any("merci" in v or "bonjour" in v for v in unwrapped)


def test_typo_variant_changes_a_long_word_by_one_or_two_edits() -> None:
    text = "quelqu'un pourrait promener mon chien"
    changed = 0
    for seed in range(30):
        variant = typo_variant(text, random.Random(seed))
        assert abs(len(variant) - len(text)) <= 2
        changed += variant != text
    assert changed >= 25  # a swap of two equal letters is the only way to change nothing


def test_augment_gives_one_variant_per_text_and_is_reproducible() -> None:
    texts = ["je peux aider samedi", "i need a lift to the doctor", "merci"]
    languages = ["fr", "en", "fr"]
    intents = ["offer_help", "request_help", "thank"]
    first = augment(texts, languages, intents, seed=7)
    assert len(first) == 3
    assert first == augment(texts, languages, intents, seed=7)
    assert not any(v.startswith(("allo", "bonjour", "salut")) for v in [first[2]])


def test_voice_variant_says_small_numbers_in_words() -> None:
    variants = {
        voice_variant("rendez-vous a 14 h mardi", "fr", random.Random(s)) for s in range(10)
    }
    assert all("quatorze" in v.split() and "14" not in v.split() for v in variants)
    assert "three" in voice_variant("3 bags", "en", random.Random(0)).split()
