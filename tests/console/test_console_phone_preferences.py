"""A person's phone preferences on their page: what the hotline learned, and its reset."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.people.models import PhonePreferences
from backend.people.phone_preferences import save_phone_preferences
from tests.console.console_helpers import log_in, make_staff
from tests.factories import make_resident


def _learned(session: Session, **values: bool) -> int:
    jeanne = make_resident(session, "Jeanne Martin")
    save_phone_preferences(
        session,
        jeanne.id,
        keypad_first=values.get("keypad_first", False),
        slow_speech=values.get("slow_speech", False),
        keypad_calls=2,
        repeats=3,
    )
    session.commit()
    return jeanne.id


def _shown(page: str) -> str:
    return page.split('data-testid="phone-preferences">')[1].split("</dd>")[0]


def test_the_page_says_what_helps_the_person_on_the_phone(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    log_in(client, "nadia")
    person_id = _learned(session, keypad_first=True, slow_speech=True)
    page = client.get(f"/console/people/{person_id}").text
    assert "<dt>Au téléphone</dt>" in page
    shown = _shown(page)
    assert shown.strip().startswith("clavier d&#39;abord, parole lente")
    assert "lors de 2 appel(s), 3 demande(s) de répétition" in shown
    english = client.get(f"/console/people/{person_id}?lang=en").text
    assert "<dt>On the phone</dt>" in english
    assert _shown(english).strip().startswith("keypad first, slow speech")


def test_someone_the_line_learned_nothing_about_reads_as_usual_with_no_reset(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    log_in(client, "nadia")
    jeanne = make_resident(session, "Jeanne Martin")
    session.commit()
    page = client.get(f"/console/people/{jeanne.id}").text
    assert "comme d&#39;habitude : la parole d&#39;abord" in _shown(page)
    assert 'data-testid="phone-reset-form"' not in page


def test_the_reset_forgets_what_was_learned(client: TestClient, session: Session) -> None:
    make_staff(session, "nadia")
    csrf = log_in(client, "nadia")
    person_id = _learned(session, slow_speech=True)
    page = client.get(f"/console/people/{person_id}").text
    assert f'action="/console/people/{person_id}/phone-preferences/reset"' in page
    reply = client.post(
        f"/console/people/{person_id}/phone-preferences/reset",
        data={"csrf": csrf},
        headers={"Referer": f"/console/people/{person_id}"},
    )
    assert reply.status_code == 200
    assert "Préférences téléphoniques oubliées" in reply.text
    assert "comme d&#39;habitude" in _shown(reply.text)
    session.expire_all()
    assert session.get(PhonePreferences, person_id) is None


def test_a_reset_without_the_page_token_changes_nothing(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    log_in(client, "nadia")
    person_id = _learned(session, keypad_first=True)
    reply = client.post(
        f"/console/people/{person_id}/phone-preferences/reset", data={"csrf": "forged"}
    )
    assert reply.status_code == 403
    session.expire_all()
    stored = session.get(PhonePreferences, person_id)
    assert stored is not None and stored.keypad_first


def test_a_reset_for_nobody_is_said_plainly(client: TestClient, session: Session) -> None:
    make_staff(session, "nadia")
    csrf = log_in(client, "nadia")
    reply = client.post("/console/people/999999/phone-preferences/reset", data={"csrf": csrf})
    assert "Introuvable" in reply.text  # the console's error flash, on the page it lands on
