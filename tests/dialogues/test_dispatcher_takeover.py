from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from backend.outbox.models import OutboxMessage
from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from dialogues.notifications import render_notification
from tests.dialogues.conftest import Chat
from tests.factories import make_resident

Login = Callable[[int], dict[str, str]]


def _outbox(session: Session, kind: str) -> OutboxMessage:
    """Read, then end the transaction: on SQLite an open one holds the write lock."""
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).one()
    session.expunge(message)
    session.rollback()
    return message


def test_dispatcher_takes_over_writes_and_hands_back(
    chat: Callable[..., Chat], client: TestClient, session: Session, login_as: Login
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    nadia = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    session.commit()
    headers = login_as(nadia.id)
    jeanne = chat()
    jeanne.say("je voudrais parler à quelqu'un")

    session.rollback()  # the login fixture read through this session; release SQLite's lock
    listed = client.get("/api/v1/conversations", headers=headers).json()
    first = listed["items"][0]
    assert first["person_name"] == "Jeanne Martin" and "asked_for_human" in first["flags"]
    conversation_id = first["id"]

    assert (
        client.post(
            f"/api/v1/conversations/{conversation_id}/take-over", headers=headers
        ).status_code
        == 200
    )
    # While the dispatcher has it, the bot stays silent...
    assert jeanne.say("vous êtes là ?") == []
    # ...and what the dispatcher writes goes to Jeanne on her own channel.
    reply = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        headers=headers,
        json={"text": "Bonjour Jeanne, c'est Nadia. Je m'occupe de vous."},
    )
    assert reply.status_code == 201
    sent = _outbox(session, "dispatcher_message")
    assert (sent.channel, sent.address) == ("telegram", "1001")
    assert (
        render_notification(sent.kind, sent.payload, "fr")[0].text
        == "Bonjour Jeanne, c'est Nadia. Je m'occupe de vous."
    )

    transcript = client.get(f"/api/v1/conversations/{conversation_id}", headers=headers).json()[
        "messages"
    ]
    assert [m["text"] for m in transcript if m["author"] == "person"][-1] == "vous êtes là ?"
    assert transcript[-1]["author"] == "dispatcher"

    assert (
        client.post(
            f"/api/v1/conversations/{conversation_id}/hand-back", headers=headers
        ).status_code
        == 200
    )
    session.expire_all()
    conversation = session.get_one(Conversation, conversation_id)
    assert conversation.handled_by == "bot" and "asked_for_human" not in conversation.flags
    back = _outbox(session, "handed_back")
    assert render_notification(back.kind, back.payload, "fr")[0].text.startswith(
        "Je reprends la conversation"
    )
    assert jeanne.say("je voudrais savoir où en est ma demande") == [
        "Vous n'avez pas de demande en cours."
    ]


def test_residents_cannot_read_or_take_conversations(
    chat: Callable[..., Chat], client: TestClient, session: Session, login_as: Login
) -> None:
    resident = make_resident(session, telegram_id=1001)
    session.commit()
    chat().say("bonjour")
    headers = login_as(resident.id)
    assert client.get("/api/v1/conversations", headers=headers).status_code == 403
    assert client.post("/api/v1/conversations/1/take-over", headers=headers).status_code == 403
    assert client.get("/api/v1/conversations").status_code == 401


def test_writing_without_taking_over_is_refused(
    chat: Callable[..., Chat], client: TestClient, session: Session, login_as: Login
) -> None:
    make_resident(session, telegram_id=1001)
    nadia = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    session.commit()
    chat().say("bonjour")
    reply = client.post(
        "/api/v1/conversations/1/messages", headers=login_as(nadia.id), json={"text": "hello"}
    )
    assert reply.status_code == 409
    assert "take the conversation over" in reply.json()["message"]
