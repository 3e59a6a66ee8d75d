"""SMS: offers out through Twilio's REST API, "OUI 123" / "NON 123" back in."""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer, OfferStatus
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.people.models import ContactKind
from backend.requests.models import HelpRequest, RequestStatus
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.voice.conftest import HOTLINE, Line, new_mobile
from tests.voice.voice_data import germaine, karim, offered


def _sms_text(heard_xml: str) -> str:
    import xml.etree.ElementTree as ET

    message = ET.fromstring(heard_xml).find("Message")
    return "" if message is None else (message.text or "")


def test_an_offer_goes_by_sms_on_twilios_rest_api_and_oui_123_accepts_it(
    line: Line, session: Session
) -> None:
    requester, helper = germaine(session), karim(session)
    request, (offer,) = offered(session, requester, line.clock())
    session.commit()
    helper_phone = helper.contact(ContactKind.phone) or ""

    assert line.deliver().sent == 1
    (request_made,) = [r for r in line.fake.requests("Messages") if r.field("To") == helper_phone]
    assert request_made.account_sid == ACCOUNT_SID
    assert request_made.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request_made.field("To") == helper_phone and request_made.field("From") == HOTLINE
    (sms,) = line.fake.sms_to(helper_phone)
    assert sms.body.startswith("Un voisin a besoin d'aide : des courses")
    assert "rue de la République" not in sms.body  # no exact address before assignment
    assert sms.body.endswith(
        f"Répondez OUI {offer.id} pour accepter, ou NON {offer.id} pour refuser."
    )
    outbox = line.one(select(OutboxMessage).where(OutboxMessage.kind == "offer"))
    assert outbox.status == OutboxStatus.sent and outbox.provider_id == sms.sid

    reply = line.post_sms(helper_phone, f"Oui {offer.id}")
    assert _sms_text(reply.xml) == "Merci ! La mission est pour vous, les détails arrivent."
    request = line.one(select(HelpRequest))
    assert request.status == RequestStatus.assigned and request.helper_id == helper.id

    # Karim's details by SMS: where, the word, and the hotline instead of her number.
    line.deliver()
    details = line.fake.sms_to(helper_phone)[-1].body
    assert details.startswith("C'est à vous ! Germaine vous attend")
    assert f"« {request.safety_word} »" in details
    assert "04 82 53 00 00, le numéro de Coup de main" in details
    assert (requester.contact(ContactKind.phone) or "")[3:] not in details.replace(" ", "")
    # Germaine has a landline: her news comes by a call.
    assert line.fake.calls_to(requester.contact(ContactKind.phone) or "")


def test_non_123_declines_and_a_retried_sms_counts_once(line: Line, session: Session) -> None:
    requester, helper = germaine(session), karim(session)
    _, (offer,) = offered(session, requester, line.clock())
    session.commit()
    phone = helper.contact(ContactKind.phone) or ""
    first = line.post_sms(phone, f"NON {offer.id}", sid="SM" + "a" * 32)
    again = line.post_sms(phone, f"NON {offer.id}", sid="SM" + "a" * 32)
    assert _sms_text(first.xml) == "Avec plaisir !" and again.xml == first.xml
    assert line.one(select(Offer)).status == OfferStatus.declined
    assert line.transcript(phone).count(f"[choix] offer:decline:{offer.id}") == 1


def test_someone_elses_offer_number_is_refused_politely(line: Line, session: Session) -> None:
    requester = germaine(session)
    karim(session)
    _, (offer,) = offered(session, requester, line.clock())
    stranger = karim(session)
    session.commit()
    reply = line.post_sms(stranger.contact(ContactKind.phone) or "", f"OUI {offer.id}")
    assert reply.status == 200 and _sms_text(reply.xml)
    assert line.one(select(HelpRequest)).status == RequestStatus.offered


def test_free_text_by_sms_is_a_conversation_with_numbered_answers(line: Line) -> None:
    number = new_mobile()
    reply = _sms_text(line.post_sms(number, "bonjour").xml)
    assert reply.startswith("Bonjour ! Ici Coup de main, l'entraide entre voisins.")
    assert "Comment vous appelez-vous ?" in reply


def test_twilio_refusals_are_retried_or_given_up_as_the_outbox_rules_say(
    line: Line, session: Session
) -> None:
    requester = germaine(session)
    karim(session)
    offered(session, requester, line.clock())
    session.commit()
    line.fake.fail_next(status=429, code=20429, message="Too Many Requests", resource="Messages")
    report = line.deliver()
    assert (report.sent, report.retried) == (0, 1)
    message = line.one(select(OutboxMessage).where(OutboxMessage.kind == "offer"))
    assert message.status == OutboxStatus.pending and "429" in message.last_error
    with line.factory() as s, s.begin():
        s.get_one(OutboxMessage, message.id).next_attempt_at = message.created_at
    line.fake.fail_next(status=400, code=21211, message="Invalid 'To' Phone Number")
    report = line.deliver()
    assert report.failed == 1
    message = line.one(select(OutboxMessage).where(OutboxMessage.kind == "offer"))
    assert message.status == OutboxStatus.failed and "21211" in message.last_error


def test_wrong_credentials_are_refused_by_the_fake_like_twilio(line: Line) -> None:
    from twilio.base.exceptions import TwilioRestException

    from bots.voice.client import twilio_client

    client = twilio_client(ACCOUNT_SID, "wrong-token", line.fake.url)
    try:
        client.messages.create(to="+33639000000", from_=HOTLINE, body="x")
    except TwilioRestException as exc:
        assert (exc.status, exc.code) == (401, 20003)
    else:  # pragma: no cover
        raise AssertionError("expected a 401")
    (last,) = line.fake.requests()[-1:]
    assert last.auth == (ACCOUNT_SID, "wrong-token")
    header = base64.b64encode(f"{ACCOUNT_SID}:wrong-token".encode()).decode()
    assert header  # Basic auth, as Twilio expects it


def test_a_requester_on_a_mobile_gets_her_helper_and_the_safety_word_by_sms(
    line: Line, session: Session
) -> None:
    from tests.voice.voice_data import assigned

    requester = germaine(session, phone=new_mobile())
    helper = karim(session)
    request = assigned(session, requester, helper, line.clock())
    line.deliver()
    (sms,) = line.fake.sms_to(requester.contact(ContactKind.phone) or "")
    assert sms.body.startswith("Bonne nouvelle : Karim va venir vous aider (des courses")
    assert f"le mot de passe « {request.safety_word} »" in sms.body
