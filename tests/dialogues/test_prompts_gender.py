"""The prompts speak to anyone: no agreement that assumes the person's gender (a woman heard
"vous êtes inscrit", a man would hear "inscrite"), nor the voice's own ("je suis désolé" in a
woman's voice) or a helper's ("Karim est venu"). Epicene phrasings instead ("votre inscription
est faite"), not "inscrit·e", which a synthetic voice cannot read."""

from __future__ import annotations

import re

import pytest

from dialogues.prompts import catalogue

# The forms rephrased once, so that they do not come back; and the written-inclusive marks.
GENDERED_FR = [
    r"\b(?:êtes|étiez|serez|soyez|suis|sois|être) (?:bien )?(?:inscrit|enregistré|prêt|sûr"
    r"|certain|content|rassuré|arrivé|connecté|seul|désolé|navré|ravi|invité|identifié"
    r"|vérifié|bienvenu)e?s?\b",
    r"\b(?:inscrit|enregistré|désolé|navré)e?s?\b",
    r"\bvous a (?:aidé|appelé|rappelé|prévenu|contacté|oublié)e?s?\b",
    r"\{helper\} (?:est|était|sera) (?:venu|passé|arrivé|allé|parti)e?s?\b",
    r"\bbienvenue?s?\b",
    r"\b\w+[·.]e\b|\(e\)",
]
GENDERED_EN = [r"\b(?:he|she|him|his|hers|himself|herself)\b", r"\b(?:s/he|he/she|his/her)\b"]


@pytest.mark.parametrize("pattern", GENDERED_FR)
def test_no_french_prompt_assumes_a_gender(pattern: str) -> None:
    found = {
        key: text
        for key, text in catalogue("fr").items()
        if re.search(pattern, text, re.IGNORECASE)
    }
    assert found == {}


@pytest.mark.parametrize("pattern", GENDERED_EN)
def test_no_english_prompt_assumes_a_gender(pattern: str) -> None:
    found = {
        key: text
        for key, text in catalogue("en").items()
        if re.search(pattern, text, re.IGNORECASE)
    }
    assert found == {}


def test_the_scan_catches_the_old_wording() -> None:
    old = ["Merci Jeanne, vous êtes inscrit.", "Je suis désolé.", "Karim vous a aidé."]
    assert all(any(re.search(p, o, re.IGNORECASE) for p in GENDERED_FR) for o in old)
