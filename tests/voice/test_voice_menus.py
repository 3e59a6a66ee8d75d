"""Every phone menu reads at most four keypad options (bots.voice.render.MAX_KEYPAD_OPTIONS).

The walk starts a call as a known caller on the "voice" channel of the real engine and
presses every key of every question it meets (each path replayed from a fresh call), so a
menu added later is checked without being listed here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from bots.voice.render import MAX_KEYPAD_OPTIONS, keypad_options
from dialogues.engine import Engine
from dialogues.messages import Choice, Expect, Outgoing
from tests.dialogues.conftest import Chat, make_engine  # noqa: F401  (fixture)
from tests.factories import make_helper, make_resident

_callers = itertools.count(1)
MAX_DEPTH = 10


def _question(chat: Chat) -> Outgoing | None:
    return next((r for r in reversed(chat.last) if r.expect != Expect.nothing), None)


def _call(engine: Engine, session: Session, keys: tuple[str, ...]) -> Chat:
    number = f"+3347899{next(_callers):04d}"
    make_resident(session, "Germaine Roux", phone=number, lat=45.7745, lon=4.8320)
    session.commit()
    chat = Chat(engine=engine, channel="voice", address=number, sender_id=None)
    chat.press("call:start")
    for key in keys:
        chat.keys(key)
    return chat


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_menu_the_keypad_reaches_reads_at_most_four_options(
    make_engine: Callable[..., Engine],  # noqa: F811
    session: Session,
) -> None:
    # A Sunday at 9:00 in Paris: today's morning, afternoon and evening are all still to come.
    engine = make_engine(datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
    make_helper(session, "Karim Haddad", services=["errands"], lat=45.776, lon=4.832)
    session.commit()
    seen: dict[str, list[str]] = {}
    paths: list[tuple[str, ...]] = [()]
    while paths:
        path = paths.pop()
        question = _question(_call(engine, session, path))
        asked = re.sub(r"\d+", "N", question.text) if question else ""  # one home per caller
        if question is None or asked in seen or len(path) >= MAX_DEPTH:
            continue
        read = [c.label for c in keypad_options(question)]
        seen[asked] = read
        assert len(read) <= MAX_KEYPAD_OPTIONS, (question.text, read)
        # 0 (a person) and 9 (again) are the line's standing keys, not a way further in.
        paths += [(*path, c.key) for c in question.choices if c.key and c.key not in "09"]
    # The walk did reach the menus of a request for help and of becoming a helper, to the
    # end of each (the keypad alone gets through both).
    texts = " ".join(seen)
    for asked in (
        "De quoi avez-vous besoin ?",
        "Dites en quelques mots ce dont vous avez besoin.",
        "À quel moment de la journée ?",
        "Est-ce un coup de main bénévole",
        "Que faut-il changer ?",
        "Que pouvez-vous faire ?",
        "Voici d'autres services.",
        "Voulez-vous ajouter un autre service ?",
        "Quand êtes-vous disponible ?",
    ):
        assert asked in texts, sorted(seen)


def test_a_rating_scale_is_not_read_as_five_options() -> None:
    stars = Outgoing(
        "Donnez une note de 1 à 5.",
        tuple(Choice(f"stars:{n}", "★" * n, str(n)) for n in range(1, 6)),
        Expect.choice,
    )
    assert keypad_options(stars) == []
    menu = Outgoing(
        "?", tuple(Choice(f"c{n}", f"choix {n}", str(n)) for n in range(1, 4)), Expect.choice
    )
    assert [c.label for c in keypad_options(menu)] == ["choix 1", "choix 2", "choix 3"]
