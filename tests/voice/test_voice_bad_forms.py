"""Signed forms without the Sid that makes a webhook one turn are refused, and store nothing.

Without a MessageSid, two different SMS would be one turn ("sms:"): the second answered with
the first one's reply and lost. Without a CallSid, every such call would be one conversation.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from backend.conversations.models import Conversation, ConversationMessage
from tests.fakes.twilio_api import ACCOUNT_SID
from tests.voice.conftest import HOTLINE, PUBLIC_URL, Line, new_landline, new_mobile


def _sms_form(sender: str, body: str, sid: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "MessageSid": sid,
        "SmsSid": sid,
        "From": sender,
        "To": HOTLINE,
        "Body": body,
        "NumMedia": "0",
    }


def _stored(line: Line) -> tuple[list[Conversation], list[ConversationMessage]]:
    return line.rows(select(Conversation)), line.rows(select(ConversationMessage))


def test_two_sms_without_a_message_sid_are_each_refused_and_nothing_is_stored(line: Line) -> None:
    first, second = new_mobile(), new_mobile()
    replies = [
        line.call(sender).signed_post(f"{PUBLIC_URL}/sms/incoming", _sms_form(sender, body, ""))
        for sender, body in ((first, "bonjour"), (second, "j'ai besoin d'aide"))
    ]

    for reply in replies:
        assert reply.status == 400
        assert "MessageSid" in reply.xml
    assert _stored(line) == ([], [])


def test_an_sms_with_its_message_sid_still_gets_an_answer(line: Line) -> None:
    sender = new_mobile()
    refused = line.call(sender).signed_post(
        f"{PUBLIC_URL}/sms/incoming", _sms_form(sender, "bonjour", "")
    )
    reply = line.post_sms(sender, "bonjour", sid="SM" + "b" * 32)

    assert refused.status == 400
    assert reply.status == 200
    message = ET.fromstring(reply.xml).find("Message")
    assert message is not None and (message.text or "").startswith("Bonjour !")
    assert line.transcript(sender)[0] == "bonjour"  # stored once, from the accepted SMS


@pytest.mark.parametrize("path", ["/voice/incoming", "/voice/turn?turn=1", "/voice/status"])
def test_a_call_form_with_an_empty_call_sid_is_refused_and_nothing_is_stored(
    line: Line, path: str
) -> None:
    call = line.call(new_landline())
    form = {**call.base_form("completed"), "CallSid": "", "SpeechResult": "bonjour"}

    reply = call.signed_post(f"{PUBLIC_URL}{path}", form)

    assert reply.status == 400
    assert "CallSid" in reply.xml
    assert _stored(line) == ([], [])


def test_a_form_without_sid_and_a_forged_signature_is_still_a_403(line: Line) -> None:
    """The signature is checked first: a stranger learns nothing about the form's rules."""
    call = line.call(new_landline())
    form = {**call.base_form(), "CallSid": ""}
    assert call.signed_post(f"{PUBLIC_URL}/voice/incoming", form, signature="forged").status == 403
