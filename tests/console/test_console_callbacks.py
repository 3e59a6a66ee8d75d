"""Call-backs owed to callers, on the conversations page over HTTP: listed first, emergencies
first, then most overdue first; "Rappeler" puts a call to the person in the outbox when the
line can place it (Twilio and DISPATCHER_PHONE), else the number is shown to dial by hand and
why; a chat with no number is answered in its conversation; "Fait" closes it."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backend.callbacks.models import CallbackStatus, CallbackTask
from backend.callbacks.service import ask_again, open_callback
from backend.conversations.models import Conversation
from backend.db import utcnow
from backend.outbox.models import OutboxMessage
from coupdemain.app import create_app
from coupdemain.settings import Settings
from tests.console.console_helpers import log_in, make_staff
from tests.factories import make_resident

DISPATCHER_PHONE = "+33482539999"


@pytest.fixture
def app_with(engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """The real app with the phone settings given (Twilio, DISPATCHER_PHONE); no workers."""
    running: list[TestClient] = []

    def start(**phone: Any) -> TestClient:
        settings = Settings(
            database_url=engine.url.render_as_string(hide_password=False),
            run_workers=False,
            _env_file=None,  # type: ignore[call-arg]
            **phone,
        )
        client = TestClient(create_app(settings))
        client.__enter__()
        running.append(client)
        return client

    yield start
    for client in running:
        client.__exit__(None, None, None)


TWILIO = {
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_auth_token": "token",
    "twilio_number": "+33482530000",
}


@pytest.fixture
def phone_line(app_with: Callable[..., TestClient]) -> TestClient:
    """Calls out through Twilio and a team phone to put them through to: Rappeler works."""
    return app_with(**TWILIO, dispatcher_phone=DISPATCHER_PHONE)


DONE = 'class="list callbacks-done-list"'


def section(html: str, start: str = 'class="callbacks"') -> list[str]:
    """The call-back section's rows as text, in order ([] when there is none); `DONE`: the
    list of those done."""
    if start not in html:
        return []
    body = html[html.index(start) :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [
        html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r))).strip()
        for r in body.split("</tr>")[:-1]
    ]


def owed(session: Session, name: str, phone: str, *, ago: timedelta, reason: str) -> int:
    person = make_resident(session, name, phone=phone)
    task, _ = open_callback(
        session,
        key=f"voice:CA{phone}",
        phone=phone,
        reason=reason,
        now=utcnow() - ago,
        last_words="je veux parler à quelqu'un",
        person_id=person.id,
    )
    task_id = task.id
    session.commit()
    return task_id


def test_callbacks_are_listed_first_most_overdue_first_and_rappeler_rings_the_person(
    phone_line: TestClient, session: Session
) -> None:
    client = phone_line
    owed(
        session,
        "Paul Roche",
        "+33478000101",
        ago=timedelta(minutes=5),
        reason="transfer_unanswered",
    )
    late = owed(
        session, "Germaine Roux", "+33478000102", ago=timedelta(days=1), reason="asked_for_human"
    )
    make_staff(session, "claire")
    csrf = log_in(client, "claire")
    page = client.get("/console/conversations").text
    listed = section(page)
    assert len(listed) == 2
    assert listed[0].startswith(
        "Germaine Roux +33478000102 A demandé un humain, personne de disponible"
    )
    assert "« je veux parler à quelqu'un »" in listed[0] and "en retard" in listed[0]
    assert listed[1].startswith("Paul Roche +33478000101 Transfert sans réponse")
    # Without the CSRF token nothing happens.
    refused = client.post(f"/console/conversations/callbacks/{late}/call", data={})
    assert refused.status_code == 403
    assert not session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "callback")).all()
    session.rollback()  # on SQLite an open read holds the lock the app needs

    answer = client.post(f"/console/conversations/callbacks/{late}/call", data={"csrf": csrf})
    assert answer.status_code == 200
    session.expire_all()
    (row,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "callback"))
    assert (row.channel, row.address, row.payload["callback_id"]) == (
        "voice_call",
        "+33478000102",
        late,
    )
    assert "appelée 1 fois" in section(answer.text)[0]


def test_fait_closes_the_callback_with_its_note(client: TestClient, session: Session) -> None:
    task_id = owed(
        session,
        "Germaine Roux",
        "+33478000103",
        ago=timedelta(hours=1),
        reason="helper_unreachable",
    )
    claire_id = make_staff(session, "claire").id
    session.rollback()
    csrf = log_in(client, "claire")
    page = client.post(
        f"/console/conversations/callbacks/{task_id}/done",
        data={"csrf": csrf, "note": "Rappelée, Karim passera demain"},
    )
    assert page.status_code == 200 and "Rappel noté comme fait." in page.text
    assert section(page.text) == []
    session.expire_all()
    task = session.get(CallbackTask, task_id)
    assert task is not None
    assert (task.status, task.done_by_id, task.note) == (
        CallbackStatus.done,
        claire_id,
        "Rappelée, Karim passera demain",
    )
    session.rollback()
    # Closing it twice is refused plainly and changes nothing.
    again = client.post(
        f"/console/conversations/callbacks/{task_id}/done", data={"csrf": csrf, "note": "x"}
    )
    assert 'class="flash flash-error"' in again.text
    assert "this call-back is already closed" in again.text
    session.expire_all()
    assert session.get(CallbackTask, task_id).note == "Rappelée, Karim passera demain"  # type: ignore[union-attr]


def test_the_section_reads_in_english(client: TestClient, session: Session) -> None:
    owed(session, "Germaine Roux", "+33478000104", ago=timedelta(hours=3), reason="asked_for_human")
    make_staff(session, "claire")
    log_in(client, "claire")
    page = client.get("/console/conversations?lang=en").text
    assert "To call back (1)" in page
    assert "Asked for a person, nobody available" in section(page)[0]


def test_an_emergency_is_listed_above_older_overdue_callbacks(
    client: TestClient, session: Session
) -> None:
    owed(session, "Paul Roche", "+33478000111", ago=timedelta(days=1), reason="asked_for_human")
    owed(session, "Jeanne Martin", "+33478000112", ago=timedelta(minutes=1), reason="emergency")
    make_staff(session, "claire")
    log_in(client, "claire")
    listed = section(client.get("/console/conversations").text)
    assert listed[0].startswith(
        "Jeanne Martin +33478000112 URGENCE : danger signalé, personne de l'équipe joignable"
    )
    assert listed[1].startswith("Paul Roche")


@pytest.mark.parametrize(
    ("phone", "why"),
    [
        ({}, "les appels sortants ne sont pas configurés (Twilio, COUPDEMAIN_TWILIO_NUMBER)"),
        (TWILIO, "aucun téléphone de l'équipe où passer l'appel (COUPDEMAIN_DISPATCHER_PHONE)"),
    ],
)
def test_without_a_line_to_call_back_the_number_is_shown_to_dial_by_hand_and_why(
    app_with: Callable[..., TestClient], session: Session, phone: dict[str, str], why: str
) -> None:
    client = app_with(**phone)
    task_id = owed(
        session, "Germaine Roux", "+33478000113", ago=timedelta(hours=1), reason="asked_for_human"
    )
    make_staff(session, "claire")
    csrf = log_in(client, "claire")
    page = client.get("/console/conversations").text
    (row,) = section(page)
    assert f"/callbacks/{task_id}/call" not in page  # no button that could not work
    assert f"Appelez le +33478000113 vous-même. Le bouton Rappeler est coupé : {why}." in row
    # A form posted anyway places no call that could not be put through.
    refused = client.post(f"/console/conversations/callbacks/{task_id}/call", data={"csrf": csrf})
    assert 'class="flash flash-error"' in refused.text and why in html_lib.unescape(refused.text)
    assert not session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "callback")).all()
    session.rollback()  # on SQLite an open read holds the lock the app needs
    english = section(client.get("/console/conversations?lang=en").text)
    assert "Call +33478000113 yourself. The Call back button is off:" in english[0]


def test_a_chat_with_no_number_is_answered_in_its_conversation(
    phone_line: TestClient, session: Session
) -> None:
    person = make_resident(session, "Jeanne Martin", telegram_id=4242)
    conversation = Conversation(channel="telegram", address="4242", person_id=person.id)
    session.add(conversation)
    session.flush()
    open_callback(
        session,
        key=f"chat:{conversation.id}:1",
        phone="",
        reason="asked_for_human",
        now=utcnow(),
        person_id=person.id,
        conversation_id=conversation.id,
    )
    conversation_id = conversation.id
    session.commit()
    make_staff(session, "claire")
    log_in(phone_line, "claire")
    page = phone_line.get("/console/conversations").text
    (row,) = section(page)
    assert row.startswith("Jeanne Martin — A demandé un humain, personne de disponible")
    assert "Sur Telegram, attend une réponse écrite" in row
    assert "Répondre dans la conversation" in row and "Rappeler" not in row
    assert f'href="/console/conversations/{conversation_id}" class="button primary"' in page


def test_fait_lists_the_callback_as_done_with_who_when_how_and_the_note(
    client: TestClient, session: Session
) -> None:
    task_id = owed(
        session, "Germaine Roux", "+33478000121", ago=timedelta(hours=1), reason="asked_for_human"
    )
    make_staff(session, "claire")
    csrf = log_in(client, "claire")
    assert section(client.get("/console/conversations").text, DONE) == []
    page = client.post(
        f"/console/conversations/callbacks/{task_id}/done",
        data={"csrf": csrf, "note": "Rappelée, tout va bien"},
    ).text
    (row,) = section(page, DONE)
    assert row.startswith("Germaine Roux A demandé un humain, personne de disponible")
    assert row.endswith("Claire Noté comme fait Rappelée, tout va bien")
    assert "Rappels faits depuis 24 h (1)" in page
    (english,) = section(client.get("/console/conversations?lang=en").text, DONE)
    assert "Claire Marked done" in english


def test_an_overdue_callback_asked_again_stays_overdue_and_first(
    client: TestClient, session: Session
) -> None:
    late = owed(
        session, "Germaine Roux", "+33478000122", ago=timedelta(hours=5), reason="asked_for_human"
    )
    owed(session, "Paul Roche", "+33478000123", ago=timedelta(minutes=1), reason="asked_for_human")
    task = session.get(CallbackTask, late)
    assert task is not None
    promise = task.due_by
    ask_again(task, utcnow(), reason="asked_for_human", last_words="vous m'aviez dit avant midi")
    session.commit()
    assert task.due_by == promise
    make_staff(session, "claire")
    log_in(client, "claire")
    listed = section(client.get("/console/conversations").text)
    assert listed[0].startswith("Germaine Roux") and "en retard" in listed[0]
    assert "a appelé 2 fois" in listed[0] and "« vous m'aviez dit avant midi »" in listed[0]
    assert listed[1].startswith("Paul Roche") and "en retard" not in listed[1]
