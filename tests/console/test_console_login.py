from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import AuthToken
from backend.people.models import Role
from tests.auth.throttle_helpers import Clock, throttle_reads
from tests.console.console_helpers import PASSWORD, hidden, log_in, make_staff
from tests.factories import make_resident

PAGES = [
    "/console/conversations",
    "/console/conversations/1",
    "/console/conversations/stream",
]
ACTIONS = [
    "/console/conversations/1/take-over",
    "/console/conversations/1/messages",
    "/console/conversations/1/hand-back",
    "/console/logout",
]


def test_login_page_is_french_first_and_english_on_request(client: TestClient) -> None:
    page = client.get("/console/login")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text and "Mot de passe" in page.text
    english = client.get("/console/login?lang=en")
    assert '<html lang="en">' in english.text and "Password" in english.text
    # The choice is remembered for the next pages.
    assert '<html lang="en">' in client.get("/console/login").text


def test_dispatcher_logs_in_sees_conversations_and_logs_out(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    csrf = log_in(client, "nadia")
    page = client.get("/console/conversations")
    assert page.status_code == 200 and "Conversations en cours" in page.text
    assert "Nadia" in page.text

    assert (
        client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/console/conversations", follow_redirects=False).status_code == 303
    session.expire_all()
    tokens = session.scalars(select(AuthToken).where(AuthToken.label == "console")).all()
    assert [t.revoked_at is not None for t in tokens] == [True]


def test_wrong_password_is_refused_with_the_login_kept(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    form = client.get("/console/login")
    reply = client.post(
        "/console/login",
        data={"username": "nadia", "password": "nope", "csrf": hidden(form.text, "csrf")},
    )
    assert reply.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in reply.text
    assert 'value="nadia"' in reply.text
    assert "cdm_session" not in reply.cookies


def test_login_form_without_its_csrf_cookie_is_refused(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    reply = client.post(
        "/console/login", data={"username": "nadia", "password": "x", "csrf": "forged"}
    )
    assert reply.status_code == 403 and "cdm_session" not in reply.cookies


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_the_login_form(client: TestClient, path: str) -> None:
    reply = client.get(path, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/console/login?next=")


@pytest.mark.parametrize("path", ACTIONS)
def test_actions_refuse_strangers(client: TestClient, path: str) -> None:
    reply = client.post(path, data={"csrf": "x", "text": "bonjour"}, follow_redirects=False)
    assert reply.status_code == 401


def test_a_resident_cannot_log_in_nor_use_a_token(
    client: TestClient, session: Session, login_as: object
) -> None:
    resident = make_resident(session, "Jeanne")
    session.commit()
    # A resident's API token set as the session cookie is still refused, page and action.
    headers = login_as(resident.id)  # type: ignore[operator]
    token = headers["Authorization"].removeprefix("Bearer ")
    client.cookies.set("cdm_session", token)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    for path in ACTIONS:
        assert client.post(path, data={"csrf": "x"}).status_code == 403, path


def test_helper_with_a_password_is_refused_at_login(client: TestClient, session: Session) -> None:
    make_staff(session, "henri", role=Role.helper)
    form = client.get("/console/login")
    reply = client.post(
        "/console/login",
        data={
            "username": "henri",
            "password": "correct horse battery",
            "csrf": hidden(form.text, "csrf"),
        },
    )
    assert reply.status_code == 403
    assert "pas accès à la console" in reply.text


def test_an_action_without_the_csrf_token_changes_nothing(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    log_in(client, "nadia")
    reply = client.post("/console/logout", data={"csrf": "forged"})
    assert reply.status_code == 403 and "ne vient pas de la console" in reply.text
    assert client.get("/console/conversations").status_code == 200  # still logged in


def test_a_form_from_another_site_is_refused(client: TestClient, session: Session) -> None:
    make_staff(session, "nadia")
    csrf = log_in(client, "nadia")
    reply = client.post(
        "/console/logout", data={"csrf": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert reply.status_code == 403


def test_login_next_never_leaves_the_console(client: TestClient, session: Session) -> None:
    make_staff(session, "nadia")
    form = client.get("/console/login?next=https://evil.example/")
    assert hidden(form.text, "next") == "/console/conversations"


def test_a_malformed_form_is_answered_on_a_page_not_in_json(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    csrf = log_in(client, "nadia")
    reply = client.post(
        "/console/payments/transfers/1/refund",
        data={"csrf": csrf, "amount": "1", "memo": "x" * 3000, "idempotency_key": "k"},
        headers={"Referer": "http://testserver/console/payments"},
    )
    assert reply.status_code == 200 and reply.url.path == "/console/payments"
    assert "Saisie refusée (memo)" in reply.text


def test_pages_are_neither_cached_nor_framed_and_the_session_cookie_is_out_of_reach(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    form = client.get("/console/login")
    login = client.post(
        "/console/login",
        data={"username": "nadia", "password": PASSWORD, "csrf": hidden(form.text, "csrf")},
        follow_redirects=False,
    )
    cookie = next(v for v in login.headers.get_list("set-cookie") if v.startswith("cdm_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    page = client.get("/console/conversations")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


def _try(client: TestClient, password: str, lang: str = "") -> Response:
    form = client.get(f"/console/login{lang}")
    return client.post(
        "/console/login",
        data={"username": "nadia", "password": password, "csrf": hidden(form.text, "csrf")},
        follow_redirects=False,
    )


def test_too_many_attempts_are_told_in_french_then_english_even_with_the_right_password(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "nadia")
    clock = throttle_reads(client.app, Clock())  # type: ignore[arg-type]
    for _ in range(5):
        assert _try(client, "nope").status_code == 401
    for _ in range(5):  # the second lock lasts five minutes
        clock.advance(minutes=1)
        assert _try(client, "nope").status_code == 401
    french = _try(client, PASSWORD)
    assert french.status_code == 429 and french.headers["Retry-After"] == "300"
    assert "Trop de tentatives. Réessayez dans 5 minutes." in french.text
    assert 'value="nadia"' in french.text and "cdm_session" not in french.cookies
    clock.advance(minutes=4)
    english = _try(client, PASSWORD, lang="?lang=en")
    assert english.status_code == 429 and english.headers["Retry-After"] == "60"
    assert "Too many attempts. Try again in 1 minute." in english.text
    clock.advance(minutes=1)
    assert _try(client, PASSWORD).status_code == 303  # in, once the lock has ended
