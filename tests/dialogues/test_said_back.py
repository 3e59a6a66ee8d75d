"""Voice-style transcripts as they are read back: fillers and brackets go, meaning stays."""

from __future__ import annotations

import pytest

from dialogues.said_back import said_back


@pytest.mark.parametrize(
    ("said", "read_back"),
    [
        ("euh ben du pain, et bon, des yaourts voilà", "du pain, et des yaourts"),
        ("alors euh... il me faudrait du pain (complet) quoi", "il me faudrait du pain"),
        ("Bon ben voilà, des courses", "des courses"),
        ("bah euh heu changer une ampoule", "changer une ampoule"),
        ("je je voudrais euh des des courses", "je voudrais des courses"),
        ("du pain  ,, et   du lait !!", "du pain, et du lait !"),
        ("En temps (banque de temps)", "En temps"),
        ("[inaudible] porter les courses", "porter les courses"),
        ("hum alors, voilà, euh", ""),
        ("um well I need a hand with the shopping you know", "I need a hand with the shopping"),
        ("erm so I need bread (wholemeal)", "I need bread"),
    ],
)
def test_fillers_and_brackets_are_not_read_back(said: str, read_back: str) -> None:
    language = "en" if said.startswith(("um ", "erm ")) else "fr"
    assert said_back(said, language) == read_back


@pytest.mark.parametrize(
    "said",
    [
        "un bon pain et un bon de commande",
        "c'est bon",
        "alors qu'il pleut",
        "nous nous voyons demain",
        "j'ai eu du mal avec l'heure",
        "monter au 5 bis rue d'Ivry",
    ],
)
def test_words_that_only_look_like_fillers_stay(said: str) -> None:
    assert said_back(said) == said


@pytest.mark.parametrize("said", ["I would like a hand", "so much to do"])
def test_english_words_that_only_look_like_fillers_stay(said: str) -> None:
    assert said_back(said, "en") == said
