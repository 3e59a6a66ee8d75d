"""Only Twilio gets in (its signature, over PUBLIC_URL), and a retried request changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from backend.conversations.models import Conversation, ConversationMessage
from tests.factories import make_resident
from tests.voice.conftest import PUBLIC_URL, Line, new_landline

PATHS = ("/voice/incoming", "/voice/turn?turn=1", "/voice/status", "/sms/incoming")


def _form(number: str) -> dict[str, str]:
    return {
        "CallSid": "CA" + "f" * 32,
        "From": number,
        "To": "+33482530000",
        "Direction": "inbound",
        "CallStatus": "completed",
        "Digits": "1",
        "Body": "OUI 1",
        "MessageSid": "SM" + "f" * 32,
    }


@pytest.mark.parametrize("path", PATHS)
def test_a_forged_signature_is_refused_and_nothing_is_stored(line: Line, path: str) -> None:
    number = new_landline()
    form = _form(number)
    forged = RequestValidator("not-the-auth-token").compute_signature(f"{PUBLIC_URL}{path}", form)
    response = line.client.post(path, data=form, headers={"X-Twilio-Signature": forged})
    assert response.status_code == 403
    missing = line.client.post(path, data=form)
    assert missing.status_code == 403
    assert not line.rows(select(Conversation)) and not line.rows(select(ConversationMessage))


def test_a_signature_for_another_url_or_other_fields_is_refused(line: Line) -> None:
    call = line.call(new_landline())
    form = call.base_form()
    # Signed for the status callback, replayed at the incoming-call URL.
    signature = RequestValidator("fake-twilio-auth-token-for-tests").compute_signature(
        f"{PUBLIC_URL}/voice/status", form
    )
    assert call.signed_post(f"{PUBLIC_URL}/voice/incoming", form, signature=signature).status == 403
    # Signed, then a field changed on the way.
    good = call.signed_post(f"{PUBLIC_URL}/voice/incoming", form)
    assert good.status == 200
    tampered = {**form, "From": "+33478999999"}
    assert call.signed_post(f"{PUBLIC_URL}/voice/incoming", tampered, signature="x").status == 403
    assert not line.rows(select(Conversation).where(Conversation.address == "+33478999999"))


def test_a_signature_made_for_the_internal_address_is_refused(line: Line) -> None:
    """Signatures are checked against PUBLIC_URL, not the host the request reached."""
    call = line.call(new_landline())
    form = call.base_form()
    internal = RequestValidator("fake-twilio-auth-token-for-tests").compute_signature(
        "http://testserver/voice/incoming", form
    )
    assert call.signed_post(f"{PUBLIC_URL}/voice/incoming", form, signature=internal).status == 403


def test_bad_input_gets_a_clear_error(line: Line) -> None:
    call = line.call(new_landline())
    call.start()
    assert call.signed_post(f"{PUBLIC_URL}/voice/turn?turn=abc", call.base_form()).status == 400
    assert call.signed_post(f"{PUBLIC_URL}/voice/outbound", call.base_form()).status == 400
    huge = line.client.post(
        "/voice/incoming",
        content=b"From=" + b"1" * 100_000,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
    )
    assert huge.status_code == 400
    json = line.client.post(
        "/voice/incoming", json={"From": "+33478000001"}, headers={"X-Twilio-Signature": "x"}
    )
    assert json.status_code == 400


def test_a_retried_turn_is_answered_identically_and_stored_once(
    line: Line, session: Session
) -> None:
    number = new_landline()
    make_resident(session, "Germaine Roux", phone=number)
    session.commit()
    call = line.call(number)
    call.start()
    question = call.last
    assert question is not None and question.gather is not None
    first = call.answer(speech="j'ai besoin d'aide pour mes courses")
    call.last = question  # Twilio did not get our answer in time and posts the same again
    again = call.answer(speech="j'ai besoin d'aide pour mes courses")
    assert again.xml == first.xml
    texts = line.transcript(number)
    assert texts.count("j'ai besoin d'aide pour mes courses") == 1
    assert line.conversation(number).step == "time"
    # The start of the call, retried, is the same greeting and no second "[choix] call:start".
    retried = call.signed_post(f"{PUBLIC_URL}/voice/incoming", call.base_form("ringing"))
    assert retried.said[0] == "Bonjour Germaine ! Ici Coup de main."
    assert line.transcript(number).count("[choix] call:start") == 1
