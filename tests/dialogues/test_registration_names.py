"""The name given at registration is kept whole: first name and surname, trimmed, with
sensible capitals, without "je m'appelle"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.people.models import Person
from tests.dialogues.conftest import Chat


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("Je m'appelle Jeanne Dupont", "Jeanne Dupont"),
        ("je m'appelle jeanne dupont", "Jeanne Dupont"),
        ("jeanne dupont", "Jeanne Dupont"),
        ("  Moi c'est Jean-Pierre MARTIN.  ", "Jean-Pierre Martin"),
        ("JEAN-PIERRE MARTIN", "Jean-Pierre Martin"),
        ("bonjour, je suis Marie-Claire de la Tour", "Marie-Claire de la Tour"),
        ("My name is John O'Brien", "John O'Brien"),
        ("Jeanne", "Jeanne"),
    ],
)
def test_the_full_name_given_is_kept(
    chat: Callable[..., Chat], session: Session, said: str, kept: str
) -> None:
    tg = chat()
    tg.say("/start")
    tg.say(said)
    tg.press("skip")
    tg.say("8 rue inconnue")
    replies = tg.say("oui")
    first = kept.split()[0]
    assert any(r.startswith(f"Merci {first},") for r in replies), replies
    person = session.scalars(select(Person)).one()
    assert person.display_name == kept
