"""A dispatcher corrects what the intent model understood of a message, over HTTP: the line
shows the model's reading, the form stores the right intent and service (the text masked),
and wrong values, replies, buttons and people who are not dispatchers are refused."""

from __future__ import annotations

import html as html_lib
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.conversations.models import ConversationMessage
from backend.nlu_corrections.models import NluCorrection
from backend.people.models import Role
from tests.console.console_helpers import log_in, make_staff
from tests.factories import make_resident
from tests.nlu_corrections.corrections_helpers import conversation, message

MISREAD = {"intent": "out_of_scope", "confidence": 0.41, "service": None, "language": "fr"}
LEAK = "mon évier fuit, passez au 12 rue Dumenge, digicode 4512B, ou appelez le 06 12 34 56 78"


def _scene(session: Session) -> tuple[int, int, int, int]:
    """A conversation: a misread sentence, the bot's answer, a button press."""
    jeanne = make_resident(session, "Jeanne Martin", telegram_id=1001)
    conv = conversation(session, person_id=jeanne.id)
    said = message(session, conv, LEAK, reading=MISREAD)
    answer = message(session, conv, "Je n'ai pas compris.", direction="out", author="bot")
    pressed = message(session, conv, "[choix] pay:volunteer")
    ids = conv.id, said.id, answer.id, pressed.id
    session.commit()
    return ids


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _line(html: str, message_id: int) -> str:
    found = re.search(rf'data-testid="nlu-{message_id}">(.*?)</span>', html, re.S)
    assert found, f"no model reading shown for message {message_id}"
    return _text(found.group(1)).strip()


def _corrections(session: Session) -> list[NluCorrection]:
    session.rollback()  # a fresh read; and on SQLite an open read holds the app's lock
    rows = list(session.scalars(select(NluCorrection)))
    session.rollback()
    return rows


def test_a_dispatcher_sees_the_reading_and_corrects_it_into_a_masked_training_example(
    client: TestClient, session: Session
) -> None:
    conv_id, said_id, answer_id, pressed_id = _scene(session)
    claire = make_staff(session, "claire")
    csrf = log_in(client, "claire")
    page = client.get(f"/console/conversations/{conv_id}").text

    assert _line(page, said_id) == "Compris : Hors sujet (41 %)"
    assert f'data-testid="nlu-{answer_id}"' not in page  # no reading on replies or buttons
    assert f'data-testid="nlu-{pressed_id}"' not in page
    assert "<summary>Corriger</summary>" in page
    assert '<option value="request_help">Demande de l\'aide</option>' in html_lib.unescape(page)
    assert '<option value="" selected>aucun service</option>' in page  # as the model read it

    reply = client.post(
        f"/console/conversations/{conv_id}/messages/{said_id}/nlu-correction",
        data={"csrf": csrf, "intent": "request_help", "service": "diy"},
    )
    assert reply.status_code == 200
    assert "Correction enregistrée" in reply.text
    assert _line(reply.text, said_id) == (
        "Compris : Hors sujet (41 %) · Corrigé : Demande de l'aide · Bricolage"
    )
    (row,) = _corrections(session)
    assert row.message_id == said_id and row.dispatcher_id == claire.id
    assert (row.intent, row.service, row.language) == ("request_help", "diy", "fr")
    assert (row.model_intent, row.model_confidence) == ("out_of_scope", 0.41)
    assert row.text == (
        "mon évier fuit, passez au [adresse masquée], digicode [masqué], "
        "ou appelez le [numéro masqué]"
    )
    # The transcript itself keeps what the person said.
    assert session.get_one(ConversationMessage, said_id).text == LEAK
    session.rollback()


def test_a_second_correction_replaces_the_first_and_the_form_shows_it(
    client: TestClient, session: Session
) -> None:
    conv_id, said_id, _, _ = _scene(session)
    make_staff(session, "claire")
    csrf = log_in(client, "claire")
    url = f"/console/conversations/{conv_id}/messages/{said_id}/nlu-correction"
    client.post(url, data={"csrf": csrf, "intent": "request_help", "service": "diy"})
    page = client.post(url, data={"csrf": csrf, "intent": "offer_help", "service": ""}).text
    assert [(r.intent, r.service) for r in _corrections(session)] == [("offer_help", None)]
    assert _line(page, said_id).endswith("Corrigé : Propose son aide · aucun service")
    assert '<option value="offer_help" selected>' in page


def test_unknown_values_replies_and_buttons_are_refused_with_a_clear_reason(
    client: TestClient, session: Session
) -> None:
    conv_id, said_id, answer_id, pressed_id = _scene(session)
    make_staff(session, "claire")
    csrf = log_in(client, "claire")
    here = f"/console/conversations/{conv_id}"
    cases = [
        (said_id, {"intent": "weather", "service": ""}, "Cette intention n'existe pas"),
        (said_id, {"intent": "request_help", "service": "plumbing"}, "Ce service n'existe pas"),
        (said_id, {"intent": "greet", "service": "errands"}, "Un service ne va qu'avec"),
        (answer_id, {"intent": "greet", "service": ""}, "Seuls les mots d'une personne"),
        (pressed_id, {"intent": "greet", "service": ""}, "Seuls les mots d'une personne"),
    ]
    for message_id, fields, reason in cases:
        reply = client.post(
            f"{here}/messages/{message_id}/nlu-correction",
            data={"csrf": csrf, **fields},
            headers={"referer": f"http://testserver{here}"},
        )
        assert reply.status_code == 200 and reply.url.path == here
        assert reason in html_lib.unescape(reply.text), (message_id, fields)
    unknown = client.post(
        f"{here}/messages/999999/nlu-correction",
        data={"csrf": csrf, "intent": "greet"},
        follow_redirects=False,
    )
    assert unknown.status_code == 303
    assert _corrections(session) == []


def test_the_english_page_says_it_in_english(client: TestClient, session: Session) -> None:
    conv_id, said_id, _, _ = _scene(session)
    make_staff(session, "claire")
    log_in(client, "claire")
    page = client.get(f"/console/conversations/{conv_id}?lang=en").text
    assert _line(page, said_id) == "Understood: Off topic (41%)"
    assert "<summary>Correct</summary>" in page
    assert '<option value="request_help">Asks for help</option>' in page


def test_without_csrf_or_as_someone_not_a_dispatcher_nothing_is_stored(
    client: TestClient, session: Session, login_as: object
) -> None:
    conv_id, said_id, _, _ = _scene(session)
    url = f"/console/conversations/{conv_id}/messages/{said_id}/nlu-correction"
    fields = {"intent": "request_help", "service": "diy"}
    make_staff(session, "claire")
    log_in(client, "claire")
    assert client.post(url, data=fields, follow_redirects=False).status_code == 403

    helper = make_staff(session, "paul", role=Role.helper)
    token = login_as(helper.id)["Authorization"].removeprefix("Bearer ")  # type: ignore[operator]
    client.cookies.set("cdm_session", token)
    refused = client.post(url, data={**fields, "csrf": "x"}, follow_redirects=False)
    assert refused.status_code == 403 and "réservée aux opérateurs" in refused.text
    assert session.scalar(select(func.count()).select_from(NluCorrection)) == 0
