"""The live conversations page over HTTP: what the dispatcher reads, and take over, write,
hand back with what is stored and sent (the browser tests show the live updates)."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.outbox.models import OutboxMessage
from tests.console.console_helpers import log_in, make_staff
from tests.dialogues.conftest import Chat, chat, make_engine, nlu_parser  # noqa: F401
from tests.factories import make_resident


def rows(html: str) -> list[str]:
    """The live list's rows as text, in order."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r))).strip()
        for r in body.split("</tr>")[:-1]
    ]


def stored(session: Session, address: str) -> Conversation:
    session.expire_all()
    found = session.scalars(select(Conversation).where(Conversation.address == address)).one()
    session.expunge(found)  # kept as read: touching it must not start a new transaction
    session.rollback()  # on SQLite an open read holds the lock the app needs
    return found


def jeanne_asks_for_a_human(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> tuple[int, str, str]:
    """Jeanne asks for a person on Telegram, Claire logs in: her id, CSRF token, the page."""
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    claire_id = make_staff(session, "claire").id
    chat().say("je voudrais parler à quelqu'un")
    csrf = log_in(client, "claire")
    return claire_id, csrf, f"/console/conversations/{stored(session, '1001').id}"


def test_the_list_puts_who_needs_someone_first_with_the_step_in_words(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    make_resident(session, "Paul Roche", telegram_id=1002)
    make_staff(session, "claire")
    chat(address="1002", sender_id="1002", sender_name="Paul").say(
        "j'ai besoin d'aide pour mes courses"
    )
    chat().say("je voudrais parler à quelqu'un")
    log_in(client, "claire")

    first, second = rows(client.get("/console/conversations").text)
    assert first.startswith("Jeanne Martin Telegram") and "Demande un humain" in first
    assert second.startswith("Paul Roche Telegram Demande d'aide · date et heure")
    assert "Robot :" in second
    english = rows(client.get("/console/conversations?lang=en").text)
    assert "Asked for a human" in english[0] and "Help request · date and time" in english[1]


def test_take_over_write_and_hand_back_store_and_send(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    claire_id, csrf, here = jeanne_asks_for_a_human(client, session, chat)

    page = client.post(f"{here}/take-over", data={"csrf": csrf})
    assert "Vous avez pris la conversation. Le robot se tait." in page.text
    assert stored(session, "1001").dispatcher_id == claire_id

    page = client.post(f"{here}/messages", data={"csrf": csrf, "text": "Bonjour Jeanne !"})
    assert "Message envoyé." in page.text and "Bonjour Jeanne !" in page.text
    assert "En attente d&#39;envoi (Telegram)" in page.text  # no worker has sent it yet
    sent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dispatcher_message"))
    assert [(m.channel, m.address, m.payload["text"]) for m in sent] == [
        ("telegram", "1001", "Bonjour Jeanne !")
    ]
    session.rollback()
    # The outbox worker gave up (Telegram refused it five times): the dispatcher is told.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.kind == "dispatcher_message")
        .values(status="failed", attempts=5)
    )
    session.commit()
    assert "Échec de l&#39;envoi (Telegram) après 5 essais" in client.get(here).text

    page = client.post(f"{here}/hand-back", data={"csrf": csrf})
    assert "La conversation est rendue au robot." in page.text
    assert stored(session, "1001").handled_by == "bot"


def test_a_refused_message_comes_back_with_its_text_and_sends_nothing(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    make_staff(session, "nadia")
    claire_id, csrf, here = jeanne_asks_for_a_human(client, session, chat)

    # Not taken over yet: refused, the draft kept in the box.
    page = client.post(f"{here}/messages", data={"csrf": csrf, "text": "Un brouillon précieux"})
    assert page.status_code == 409
    assert "take the conversation over" in page.text
    assert 'data-testid="unsent">Un brouillon précieux</blockquote>' in page.text
    client.post(f"{here}/take-over", data={"csrf": csrf})
    too_long = "x" * 4001
    page = client.post(f"{here}/messages", data={"csrf": csrf, "text": too_long})
    assert page.status_code == 422 and f">{too_long}</textarea>" in page.text
    assert 'role="alert" id="write-error"' in page.text
    kinds = session.scalars(select(OutboxMessage.kind)).all()
    session.rollback()
    assert "dispatcher_message" not in kinds

    # Another dispatcher sees who has it and cannot take it.
    other = TestClient(client.app)
    other_csrf = log_in(other, "nadia")
    assert "Un·e autre opérateur·rice a pris cette conversation." in other.get(here).text
    page = other.post(f"{here}/take-over", data={"csrf": other_csrf})
    assert "another dispatcher already has this conversation" in page.text
    assert stored(session, "1001").dispatcher_id == claire_id


def test_an_unknown_conversation_is_a_404_page(client: TestClient, session: Session) -> None:
    make_staff(session, "claire")
    log_in(client, "claire")
    page = client.get("/console/conversations/999")
    assert page.status_code == 404 and "Introuvable" in page.text
