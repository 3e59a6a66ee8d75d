from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session, sessionmaker

from backend.conversations.models import Conversation
from backend.conversations.service import dispatcher_says, take_over
from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from coupdemain.terminal_chat import TerminalChat
from dialogues.engine import Engine
from tests.dialogues.conftest import make_engine, nlu_parser  # noqa: F401
from tests.factories import make_resident


def test_an_empty_line_shows_what_a_dispatcher_wrote_meanwhile(
    make_engine: Callable[..., Engine],  # noqa: F811
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=4242)
    nadia = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    session.commit()
    out = io.StringIO()
    chat = TerminalChat(
        make_engine(), session_factory, user_id="4242", name="Jeanne", language="fr", out=out
    )

    def lines() -> Iterator[str]:
        yield "je voudrais parler à quelqu'un"
        with session_factory() as s, s.begin():
            conversation = s.query(Conversation).one()
            take_over(s, conversation.id, nadia.id)
            dispatcher_says(s, conversation.id, nadia.id, "Bonjour Jeanne, c'est Nadia.")
        yield ""

    feed = lines()

    def read(_prompt: str) -> str:
        line = next(feed, None)
        if line is None:
            raise EOFError
        return line

    chat.run(read=read)
    assert "↳ (telegram to 4242) Bonjour Jeanne, c'est Nadia." in out.getvalue()
