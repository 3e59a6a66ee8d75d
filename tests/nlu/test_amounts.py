from __future__ import annotations

from datetime import datetime

import pytest

from nlu.entities.amounts import extract_durations, extract_prices
from nlu.interpreter import Interpreter
from nlu.normalise import fold


@pytest.mark.parametrize(
    ("text", "span", "amount", "currency", "free"),
    [
        ("je peux aider pour 10 euros", "10 euros", 1000, "EUR", False),
        ("c'est 15,50 €", "15,50 €", 1550, "EUR", False),
        ("15€50 de l'heure", "15€50", 1550, "EUR", False),
        ("happy to do it for £5", "£5", 500, "GBP", False),
        ("ça coûte dix euros", "dix euros", 1000, "EUR", False),
        ("dix euros", "dix euros", 1000, "EUR", False),
        ("quinze euros cinquante", "quinze euros cinquante", 1550, "EUR", False),
        ("10 euros trois fois par semaine", "10 euros", 1000, "EUR", False),
        ("vingt euros 05", "vingt euros 05", 2005, "EUR", False),
        ("2 crédits temps", "2 crédits temps", 200, "TIME_CREDIT", False),
        ("gratuitement bien sûr", "gratuitement", 0, "EUR", True),
        ("je suis bénévole", "bénévole", 0, "EUR", True),
        ("I can do it for free", "for free", 0, "EUR", True),
    ],
)
def test_prices(text: str, span: str, amount: int, currency: str, free: bool) -> None:
    found = extract_prices(fold(text))
    start, end, value = max(found, key=lambda f: f[1] - f[0])
    assert text[start:end] == span
    assert value == {"amount": amount, "currency": currency, "free": free}


@pytest.mark.parametrize(
    "text", ["I'm free on Saturday", "le bénévole est venu", "super bénévole", "the volunteer"]
)
def test_being_free_or_a_volunteer_is_not_a_price(text: str) -> None:
    assert extract_prices(fold(text)) == []


@pytest.mark.parametrize(
    ("text", "span", "minutes"),
    [
        ("pendant deux heures", "deux heures", 120),
        ("ça prendra 1h30", "1h30", 90),
        ("for about 2 hours", "2 hours", 120),
        ("une demi-heure", "une demi-heure", 30),
        ("deux heures de ménage", "deux heures", 120),
        ("it takes 20 minutes", "20 minutes", 20),
        ("half an hour", "half an hour", 30),
        ("make it 2 hrs instead of 1", "2 hrs", 120),
        ("du ménage, 2h par semaine", "2h", 120),
        ("I waited all morning", "all morning", 240),
    ],
)
def test_durations(text: str, span: str, minutes: int) -> None:
    ((start, end, value), *_) = extract_durations(fold(text))
    assert text[start:end] == span
    assert value == {"minutes": minutes}


@pytest.mark.parametrize("text", ["trois heures de l'après-midi", "dans 20 minutes", "à 2 heures"])
def test_times_are_not_durations(text: str) -> None:
    assert extract_durations(fold(text)) == []


@pytest.mark.parametrize(
    ("text", "amount"), [("dix euros", 1000), ("je donne dix euros", 1000), ("cinq euros", 500)]
)
def test_an_amount_said_alone_on_the_phone_is_a_price_not_a_service(
    interpreter: Interpreter, now: datetime, text: str, amount: int
) -> None:
    """The service classifier's guess ("euros" -> bricolage) used to hide the price."""
    entities = interpreter.parse(text, now=now, lang="fr")["entities"]
    assert [e["value"] for e in entities if e["entity"] == "price"] == [
        {"amount": amount, "currency": "EUR", "free": False}
    ]
    assert not [e for e in entities if e["entity"] == "service"]
