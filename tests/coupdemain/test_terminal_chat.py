from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.conversations.models import Conversation
from backend.conversations.service import dispatcher_says, take_over
from backend.dispatch.models import Offer, OfferStatus
from backend.people.models import Person, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from backend.requests.models import HelpRequest, RequestStatus
from coupdemain.terminal_chat import TerminalChat
from dialogues.engine import Engine
from tests.dialogues.conftest import Chat, make_engine, nlu_parser  # noqa: F401
from tests.factories import make_helper, make_resident


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


def _helper_at_the_terminal(
    session: Session, session_factory: sessionmaker[Session], engine: Engine, press: str
) -> tuple[str, Person]:
    """Karim is in the terminal chat; Jeanne books errands on Telegram meanwhile, an empty
    line shows Karim the offer with its buttons, and he types the number of `press`."""
    make_resident(session, "Jeanne Martin", telegram_id=1001, lat=45.7745, lon=4.8320)
    karim = make_helper(
        session, "Karim Haddad", services=["errands"], telegram_id=3003, lat=45.7760, lon=4.8320
    )
    session.commit()
    out = io.StringIO()
    chat = TerminalChat(
        engine, session_factory, user_id="3003", name="Karim", language="fr", out=out
    )

    def lines() -> Iterator[str]:
        jeanne = Chat(engine=engine)
        for said in ("il me faudrait quelqu'un pour les courses demain matin", "oui"):
            jeanne.say(said)
        jeanne.press("skip")
        jeanne.press("pay:volunteer")
        jeanne.say("oui")
        yield ""  # shows what arrived meanwhile: the offer, with its numbered buttons
        button = re.search(rf"\[(\d+)\] {re.escape(press)}\n", out.getvalue())
        assert button is not None, out.getvalue()
        yield button.group(1)

    feed = lines()

    def read(_prompt: str) -> str:
        line = next(feed, None)
        if line is None:
            raise EOFError
        return line

    chat.run(read=read)
    return out.getvalue(), karim


def test_a_helper_accepts_an_offer_from_the_terminal_and_the_requester_is_told(
    make_engine: Callable[..., Engine],  # noqa: F811
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    shown, karim = _helper_at_the_terminal(session, session_factory, make_engine(), "J'accepte")
    assert "↳ (telegram to 3003) Un voisin a besoin d'aide : des courses" in shown
    assert "↳ (telegram to 1001) Bonne nouvelle : Karim va venir vous aider" in shown
    assert "C'est à vous ! Jeanne vous attend" in shown
    session.expire_all()
    request = session.scalars(select(HelpRequest)).one()
    assert (request.status, request.helper_id) == (RequestStatus.assigned, karim.id)


def test_a_helper_declines_an_offer_from_the_terminal_and_the_request_stays_unassigned(
    make_engine: Callable[..., Engine],  # noqa: F811
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    shown, karim = _helper_at_the_terminal(
        session, session_factory, make_engine(), "Je ne peux pas"
    )
    session.expire_all()
    offer = session.scalars(select(Offer).where(Offer.helper_id == karim.id)).one()
    request = session.scalars(select(HelpRequest)).one()
    assert offer.status == OfferStatus.declined
    assert request.helper_id is None and request.status != RequestStatus.assigned
    assert "Bonne nouvelle" not in shown
