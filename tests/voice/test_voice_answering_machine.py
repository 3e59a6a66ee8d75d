"""Calls we place ask Twilio to tell a person from an answering machine: a machine gets a short
message after the beep, the outbox row is not delivered and is tried again later, then failed
for a dispatcher; a fax fails at once; a person hears the interactive call as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.lifecycle import cancel_request
from backend.dispatch.models import Offer
from backend.dispatch.service import DispatchPolicy, accept_offer, start_dispatch
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import DeliveryReport, deliver_due
from backend.people.models import ContactKind, Person
from backend.requests.models import HelpRequest
from backend.requests.redaction import mask_details
from bots.voice.simulator import Heard, PhoneCall
from dialogues.flows.answering_machine import MACHINE_CALLS
from tests.console.console_helpers import log_in, make_staff
from tests.factories import make_helper, make_request, make_resident
from tests.fakes.twilio_api import PlacedCall
from tests.voice.conftest import PUBLIC_URL, Line, new_landline, new_mobile
from tests.voice.voice_data import assigned, germaine, karim, offered

HOTLINE_SAID = "zéro quatre, quatre-vingt-deux, cinquante-trois, zéro zéro, zéro zéro"
AGAIN = (
    "Bonjour, ici Coup de main, le service d'entraide du quartier. Nous avons un message pour "
    f"vous : nous vous rappellerons. Vous pouvez aussi appeler le {HOTLINE_SAID}. Au revoir."
)
LAST = (
    "Bonjour, ici Coup de main, le service d'entraide du quartier. Nous avons un message pour "
    f"vous : merci de nous rappeler. Vous pouvez aussi appeler le {HOTLINE_SAID}. Au revoir."
)


def _deliver_after(line: Line, minutes: int) -> DeliveryReport:
    """The outbox worker's pass once the line's clock has moved on by `minutes`."""
    at = line.clock() + timedelta(minutes=minutes)
    return deliver_due(line.factory, line.outbox_senders, now=lambda: at)


def _message(line: Line, kind: str) -> OutboxMessage:
    return line.one(select(OutboxMessage).where(OutboxMessage.kind == kind))


def _assigned_requester(line: Line, session: Session) -> tuple[str, str, PlacedCall]:
    """Germaine (landline) is rung to hear that Karim is coming, and her safety word."""
    requester, helper = germaine(session), karim(session)
    request = assigned(session, requester, helper, line.clock())
    assert line.deliver().sent >= 1
    number = requester.contact(ContactKind.phone) or ""
    (placed,) = line.fake.calls_to(number)
    return number, request.safety_word or "", placed


def _machine(line: Line, placed: PlacedCall) -> tuple[PhoneCall, Heard]:
    return line.pick_up(placed, answered_by="machine_end_beep")


def test_a_placed_call_asks_twilio_to_detect_an_answering_machine(
    line: Line, session: Session
) -> None:
    number, _, placed = _assigned_requester(line, session)
    assert placed.machine_detection == "DetectMessageEnd"
    assert placed.async_amd == "false" and placed.machine_detection_timeout == 30
    (api_call,) = [r for r in line.fake.requests("Calls") if r.field("To") == number]
    assert api_call.field("MachineDetection") == "DetectMessageEnd"  # Twilio's wire name


def test_an_answering_machine_gets_a_short_message_and_the_call_is_placed_again_later(
    line: Line, session: Session
) -> None:
    number, word, placed = _assigned_requester(line, session)
    call, heard = _machine(line, placed)
    assert heard.said == [AGAIN] and heard.hung_up and not heard.waits_for_answer
    assert word not in heard.xml and "Karim" not in heard.xml  # nothing for a stranger's ears
    message = _message(line, "assigned_requester")
    assert message.status == OutboxStatus.pending and message.sent_at is None
    call.hang_up(status_url=placed.status_callback)
    assert "call_unanswered" not in line.conversation(number).flags

    assert line.deliver().sent == 0  # not yet: the retry waits 30 minutes
    assert _deliver_after(line, 29).sent == 0
    assert _deliver_after(line, 31).sent == 1
    first, second = line.fake.calls_to(number)
    assert second.sid != first.sid and second.url == first.url
    assert second.machine_detection == "DetectMessageEnd"
    assert _message(line, "assigned_requester").provider_id == second.sid
    # This time she answers herself and hears the whole message, safety word included.
    _, heard = line.pick_up(second, answered_by="human")
    assert heard.said[0] == "Bonjour Germaine ! Ici Coup de main."
    assert f"« {word} »" in heard.text


def test_after_the_last_answering_machine_the_message_fails_for_a_dispatcher(
    line: Line, session: Session
) -> None:
    number, _, placed = _assigned_requester(line, session)
    assert _machine(line, placed)[1].said == [AGAIN]
    assert _deliver_after(line, 31).sent == 1
    assert _machine(line, line.fake.calls_to(number)[-1])[1].said == [AGAIN]
    assert _deliver_after(line, 62).sent == 1
    heard = _machine(line, line.fake.calls_to(number)[-1])[1]
    assert heard.said == [LAST] and heard.hung_up
    message = _message(line, "assigned_requester")
    assert message.status == OutboxStatus.failed
    assert "répondeur" in message.last_error and len(message.payload[MACHINE_CALLS]) == 3
    assert "call_unanswered" in line.conversation(number).flags
    assert _deliver_after(line, 200).sent == 0
    assert len(line.fake.calls_to(number)) == 3  # two retries, no more


def test_a_retried_machine_webhook_schedules_nothing_twice(line: Line, session: Session) -> None:
    number, _, placed = _assigned_requester(line, session)
    call, heard = _machine(line, placed)
    again = call.pick_up(placed.url or "", answered_by="machine_end_beep")  # same CallSid
    assert again.xml == heard.xml
    message = _message(line, "assigned_requester")
    assert message.payload[MACHINE_CALLS] == [placed.sid]
    assert _deliver_after(line, 31).sent == 1
    assert _deliver_after(line, 62).sent == 0
    # Even once the new call is placed, the first call's retried webhook changes nothing.
    call.pick_up(placed.url or "", answered_by="machine_end_silence")
    retried = _message(line, "assigned_requester")
    assert retried.status == OutboxStatus.sent and retried.payload[MACHINE_CALLS] == [placed.sid]
    assert len(line.fake.calls_to(number)) == 2


@pytest.mark.parametrize("answered_by", ["human", "unknown"])
def test_a_person_who_answers_hears_the_interactive_call(
    line: Line, session: Session, answered_by: str
) -> None:
    requester, helper = germaine(session), karim(session, landline=True)
    offered(session, requester, line.clock())
    session.commit()
    line.deliver()
    (placed,) = line.fake.calls_to(helper.contact(ContactKind.phone) or "")
    _, heard = line.pick_up(placed, answered_by=answered_by)
    assert heard.said[0] == "Bonjour Karim ! Ici Coup de main."
    assert heard.said[2] == "Pour « J'accepte », tapez 1. Pour « Je ne peux pas », tapez 2."
    assert heard.waits_for_answer and not heard.hung_up
    assert _message(line, "offer").status == OutboxStatus.sent


def test_a_fax_fails_the_message_without_a_retry(line: Line, session: Session) -> None:
    number, _, placed = _assigned_requester(line, session)
    _, heard = line.pick_up(placed, answered_by="fax")
    assert heard.said == [] and heard.hung_up
    message = _message(line, "assigned_requester")
    assert message.status == OutboxStatus.failed and "fax" in message.last_error
    assert _deliver_after(line, 31).sent == 0
    assert len(line.fake.calls_to(number)) == 1


def test_the_machine_message_is_in_english_for_an_english_speaker(
    line: Line, session: Session
) -> None:
    requester = make_resident(session, "Mary Jones", phone=new_landline(), language="en")
    assigned(session, requester, karim(session), line.clock())
    line.deliver()
    (placed,) = line.fake.calls_to(requester.contact(ContactKind.phone) or "")
    assert _machine(line, placed)[1].said == [
        "Hello, this is Coup de main, the neighbourhood mutual-aid service. We have a message "
        "for you: we will call you back. You can also call zero four, eight two, five three, "
        "zero zero, zero zero. Goodbye."
    ]


def test_a_dispatchers_message_left_on_machines_shows_failed_in_the_console(
    line: Line, session: Session
) -> None:
    number = new_landline()
    make_resident(session, "Germaine Roux", phone=number)
    make_staff(session, "claire")
    line.call(number).start()
    line.client.base_url = "https://testserver"  # type: ignore[assignment]
    csrf = log_in(line.client, "claire")
    here = f"/console/conversations/{line.conversation(number).id}"
    line.client.post(f"{here}/take-over", data={"csrf": csrf})
    line.client.post(f"{here}/messages", data={"csrf": csrf, "text": "Je vous rappelle demain."})
    assert line.deliver().sent == 1

    # The dispatcher holds the conversation: a machine is not put through to them.
    heard = _machine(line, line.fake.calls_to(number)[-1])[1]
    assert heard.said == [AGAIN] and heard.hung_up and not heard.dialled
    for minutes in (31, 62):
        assert _deliver_after(line, minutes).sent == 1
        _machine(line, line.fake.calls_to(number)[-1])
    assert _message(line, "dispatcher_message").status == OutboxStatus.failed
    assert "après 3 essais : joignez la personne autrement" in line.client.get(here).text


# ---------------------------------------------------------------- what changed before the retry
def _offered_to_karim_on_a_landline(
    line: Line, session: Session
) -> tuple[Person, Person, HelpRequest, PlacedCall]:
    """Karim (landline) and Paul (mobile) are offered Germaine's errands; a machine takes
    Karim's call, so his offer is to be rung about again in 30 minutes."""
    requester = germaine(session)
    helper = karim(session, landline=True)
    other = make_helper(session, "Paul Girard", phone=new_mobile())
    request, _ = offered(session, requester, line.clock())
    session.commit()
    line.deliver()
    (placed,) = line.fake.calls_to(helper.contact(ContactKind.phone) or "")
    assert _machine(line, placed)[1].said == [AGAIN]
    assert _offer_row(line, helper).status == OutboxStatus.pending
    return helper, other, request, placed


def _offer_row(line: Line, helper: Person) -> OutboxMessage:
    return line.one(
        select(OutboxMessage).where(
            OutboxMessage.kind == "offer", OutboxMessage.person_id == helper.id
        )
    )


def _calls_for(line: Line, number: str, message: OutboxMessage) -> list[PlacedCall]:
    """The calls placed for one outbox row (its id is in the call's Url)."""
    return [c for c in line.fake.calls_to(number) if (c.url or "").endswith(f"={message.id}")]


def test_an_offer_taken_by_someone_else_before_the_retry_is_dropped_and_not_rung_about(
    line: Line, session: Session
) -> None:
    helper, other, request, _ = _offered_to_karim_on_a_landline(line, session)
    (theirs,) = session.scalars(
        select(Offer).where(Offer.request_id == request.id, Offer.helper_id == other.id)
    )
    accept_offer(session, theirs.id, other.id, line.clock())
    session.commit()

    report = _deliver_after(line, 31)
    assert report.dropped == 1
    row = _offer_row(line, helper)
    assert row.status == OutboxStatus.dropped
    assert "prise par quelqu'un d'autre" in row.last_error
    number = helper.contact(ContactKind.phone) or ""
    assert len(_calls_for(line, number, row)) == 1  # the first call only, no retry placed
    assert _deliver_after(line, 200).dropped == 0  # dropped for good


def test_an_offer_expired_before_the_retry_is_dropped(line: Line, session: Session) -> None:
    helper, _, _, _ = _offered_to_karim_on_a_landline(line, session)
    line.run_jobs(line.clock() + timedelta(minutes=11))  # the round's ten minutes are up
    assert _deliver_after(line, 31).dropped == 1
    row = _offer_row(line, helper)
    assert row.status == OutboxStatus.dropped and "expiré" in row.last_error
    assert len(_calls_for(line, helper.contact(ContactKind.phone) or "", row)) == 1


def test_a_job_cancelled_before_the_retry_is_not_announced_again(
    line: Line, session: Session
) -> None:
    number, _, placed = _assigned_requester(line, session)
    assert _machine(line, placed)[1].said == [AGAIN]
    request = line.one(select(HelpRequest))
    cancel_request(session, request.id, request.requester_id, "plus besoin")
    session.commit()
    _deliver_after(line, 31)
    row = _message(line, "assigned_requester")
    assert row.status == OutboxStatus.dropped and "annulée" in row.last_error
    assert len(_calls_for(line, number, row)) == 1
    # Ringing the hotline herself, she is not told about the cancelled visit either.
    heard = line.call(number).start()
    assert "Karim" not in heard.text and "mot de passe" not in heard.text


def test_ringing_the_hotline_before_the_retry_she_is_not_told_about_a_cancelled_visit(
    line: Line, session: Session
) -> None:
    number, word, placed = _assigned_requester(line, session)
    _machine(line, placed)
    request = line.one(select(HelpRequest))
    cancel_request(session, request.id, request.requester_id, "plus besoin")
    session.commit()
    heard = line.call(number).start()  # the retry is not due yet: the row still waits
    assert "Karim" not in heard.text and word not in heard.text
    assert "Vous avez un message de Coup de main." not in heard.text
    row = _message(line, "assigned_requester")
    assert row.status == OutboxStatus.dropped and "non lu pendant l'appel" in row.last_error
    _deliver_after(line, 31)
    assert len(_calls_for(line, number, row)) == 1


def test_a_machine_that_picks_up_after_the_offer_was_taken_is_left_no_message(
    line: Line, session: Session
) -> None:
    helper, other, request, _ = _offered_to_karim_on_a_landline(line, session)
    assert _deliver_after(line, 31).sent == 1  # still open: rung again
    number = helper.contact(ContactKind.phone) or ""
    again = line.fake.calls_to(number)[-1]
    (theirs,) = session.scalars(
        select(Offer).where(Offer.request_id == request.id, Offer.helper_id == other.id)
    )
    accept_offer(session, theirs.id, other.id, line.clock())  # while Karim's phone rings
    session.commit()
    _, heard = _machine(line, again)
    assert heard.said == [] and heard.hung_up
    row = _offer_row(line, helper)
    assert row.status == OutboxStatus.dropped and "rien laissé" in row.last_error


def test_the_machine_message_holds_nothing_private(line: Line, session: Session) -> None:
    requester = make_resident(session, "Germaine Roux", phone=new_landline())
    helper = karim(session, landline=True)
    details = "Digicode 4521B, 3e étage. Appelez ma fille au 06 12 34 56 78."
    request = make_request(session, requester, details=details)
    start_dispatch(session, request, DispatchPolicy(), line.clock())
    (offer,) = session.scalars(select(Offer).where(Offer.helper_id == helper.id))
    accept_offer(session, offer.id, helper.id, line.clock())
    session.commit()
    line.deliver()
    number = helper.contact(ContactKind.phone) or ""
    (assigned_call,) = [
        c for c in line.fake.calls_to(number) if c.url == _outbound(line, "assigned_helper")
    ]
    heard = _machine(line, assigned_call)[1]
    said = heard.text
    assert said == AGAIN
    assert mask_details(said) == said  # nothing the masker would hide: no code, phone, address
    home = requester.addresses[0].one_line()
    for private in ("4521", "06 12", "Germaine", home, request.safety_word or "?"):
        assert private not in heard.xml


def _outbound(line: Line, kind: str) -> str:
    return f"{PUBLIC_URL}/voice/outbound?outbox={_message(line, kind).id}"


@pytest.mark.parametrize(
    "answered_by", ["machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other"]
)
def test_every_machine_verdict_twilio_sends_leaves_the_short_message(
    line: Line, session: Session, answered_by: str
) -> None:
    _, _, placed = _assigned_requester(line, session)
    _, heard = line.pick_up(placed, answered_by=answered_by)
    assert heard.said == [AGAIN] and heard.hung_up
    assert _message(line, "assigned_requester").status == OutboxStatus.pending


def test_no_answered_by_is_a_person(line: Line, session: Session) -> None:
    _, _, placed = _assigned_requester(line, session)
    _, heard = line.pick_up(placed, answered_by=None)
    assert heard.said[0] == "Bonjour Germaine ! Ici Coup de main."


def test_the_call_asks_for_detection_with_twilios_own_field_names(
    line: Line, session: Session
) -> None:
    number, _, _ = _assigned_requester(line, session)
    (api_call,) = [r for r in line.fake.requests("Calls") if r.field("To") == number]
    assert api_call.field("MachineDetection") == "DetectMessageEnd"
    assert api_call.field("MachineDetectionTimeout") == "30"
    assert api_call.field("AsyncAmd") == "false"
