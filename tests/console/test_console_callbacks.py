"""Call-backs owed to callers, on the conversations page over HTTP: listed first, most
overdue first; "Rappeler" puts a call to the person in the outbox; "Fait" closes it."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.callbacks.models import CallbackStatus, CallbackTask
from backend.callbacks.service import open_callback
from backend.db import utcnow
from backend.outbox.models import OutboxMessage
from tests.console.console_helpers import log_in, make_staff
from tests.factories import make_resident


def section(html: str) -> list[str]:
    """The call-back section's rows as text, in order ([] when there is none)."""
    if 'class="callbacks"' not in html:
        return []
    body = html[html.index('class="callbacks"') :]
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
    client: TestClient, session: Session
) -> None:
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
