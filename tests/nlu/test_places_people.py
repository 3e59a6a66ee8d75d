from __future__ import annotations

from datetime import datetime

import pytest

from nlu import Interpreter
from nlu.entities.places_people import extract_people, extract_places
from nlu.normalise import fold


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("j'habite au 12 rue Victor Hugo", "12 rue Victor Hugo"),
        ("au 3 rue des lilas demain", "3 rue des lilas"),
        ("I live at 12 Baker Street", "12 Baker Street"),
        ("on se retrouve devant la mairie", "mairie"),
        ("wrong address, its 4 church lane", "4 church lane"),
    ],
)
def test_places(text: str, span: str) -> None:
    common = frozenset({"demain", "on", "se", "la"})
    spans = [text[s:e] for s, e, _ in extract_places(fold(text), text, (), common)]
    assert span in spans


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("je m'appelle Jeanne Dupont", "Jeanne Dupont"),
        ("allô c'est madame martin", "madame martin"),
        ("Hi, I'm Paul", "Paul"),
        ("my name is john", "john"),
    ],
)
def test_people(text: str, span: str) -> None:
    assert span in [text[s:e] for s, e, _ in extract_people(fold(text), text)]


@pytest.mark.parametrize("text", ["bonjour c'est gentil", "i'm looking for help", "c'est urgent"])
def test_ordinary_words_after_an_introduction_are_not_names(text: str) -> None:
    assert extract_people(fold(text), text) == []


# House numbers are part of the address, however they are said: digits, "bis"/"ter", words
# (speech recognition writes "cinq"), "au 14 de la rue ...". Through the whole parser, so
# that no earlier extractor (times, prices) takes the number away from the street.
HOUSE_NUMBERS = [
    ("j'habite au 5 rue d'Ivry", "5 rue d'Ivry"),
    ("j'habite au 5 bis rue d'Ivry", "5 bis rue d'Ivry"),
    ("j'habite au 5bis rue d'Ivry", "5bis rue d'Ivry"),
    ("c'est au 12 ter rue des Lilas", "12 ter rue des Lilas"),
    ("j'habite au cinq rue d'ivry", "cinq rue d'ivry"),
    ("euh j'habite cinq rue d'ivry", "cinq rue d'ivry"),
    ("au cinq bis rue d'ivry", "cinq bis rue d'ivry"),
    ("c'est au 14 de la rue Victor Hugo", "14 de la rue Victor Hugo"),
    ("au quatorze de la rue victor hugo", "quatorze de la rue victor hugo"),
    (
        "j'habite au vingt et un boulevard de la croix-rousse",
        "vingt et un boulevard de la croix-rousse",
    ),
    ("au quatre-vingt-douze rue dumenge", "quatre-vingt-douze rue dumenge"),
    ("au numéro 7, rue Dumenge", "7, rue Dumenge"),
    ("des courses demain matin au 3 rue des lilas", "3 rue des lilas"),
    ("I live at 5 Baker Street", "5 Baker Street"),
    ("i live at five baker street", "five baker street"),
    ("I live at 221B Baker Street", "221B Baker Street"),
    ("my address is 14 church lane", "14 church lane"),
]


@pytest.mark.parametrize(("text", "place"), HOUSE_NUMBERS)
def test_the_house_number_is_kept_in_the_place(
    interpreter: Interpreter, now: datetime, text: str, place: str
) -> None:
    places = [e for e in interpreter.parse(text, now=now)["entities"] if e["entity"] == "place"]
    assert place in [p["value"] for p in places]
    assert all(p["value"] == text[p["start"] : p["end"]] for p in places)


@pytest.mark.parametrize(
    "text", ["j'ai deux cours de piano", "we need two things on the way", "trois place"]
)
def test_a_number_in_words_without_a_cue_is_no_address(text: str) -> None:
    assert extract_places(fold(text), text, (), frozenset({"de"})) == []
