from __future__ import annotations

import pytest

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
