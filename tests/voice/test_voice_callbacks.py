"""No dead ends on the phone: a caller nobody can take is owed a call-back, told when, and
the call goes on. Real signed Twilio webhooks against the real app (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.callbacks.models import CallbackStatus, CallbackTask
from backend.outbox.models import OutboxMessage
from backend.people.models import ContactKind
from coupdemain.app import create_app, senders
from coupdemain.configuration import dispatch_config, engine_config
from dialogues.engine import Engine
from nlu.interface import IntentParser
from tests.fakes.twilio_api import FakeTwilio
from tests.voice.conftest import (
    DISPATCHER,
    Line,
    line_settings,
    sunday_morning_clock,
)
from tests.voice.voice_data import assigned, germaine, karim


@pytest.fixture
def line_without_dispatcher(
    engine: DbEngine,
    session_factory: sessionmaker[Session],
    nlu_parser: IntentParser,
    fake: FakeTwilio,
    tmp_path: Path,
) -> Iterator[Line]:
    """The hotline with no DISPATCHER_PHONE: nobody to put a caller through to."""
    clock = sunday_morning_clock()  # 10:00 in Paris: "avant 12 h"
    settings = line_settings(engine, tmp_path, fake).model_copy(update={"dispatcher_phone": None})
    conversation_engine = Engine(
        session_factory, nlu_parser, engine_config(settings, dispatch_config(settings)), clock=clock
    )
    app = create_app(settings, conversation_engine=conversation_engine)
    with TestClient(app) as client:
        yield Line(
            client,
            fake,
            session_factory,
            settings,
            clock,
            senders(settings, app.state.voice_channel),
        )


def tasks(line: Line) -> list[CallbackTask]:
    return line.rows(select(CallbackTask).order_by(CallbackTask.id))


def test_key_0_without_a_dispatcher_line_opens_a_callback_and_says_when(
    line_without_dispatcher: Line, session: Session
) -> None:
    line = line_without_dispatcher
    person = germaine(session)
    session.commit()
    phone = person.contact(ContactKind.phone) or ""
    call = line.call(phone)
    call.start()
    call.answer(speech="je voudrais faire réparer mon robinet")
    heard = call.answer(digits="0")
    assert heard.said[0].startswith(
        "Personne n'est disponible pour l'instant. "
        "Quelqu'un de l'équipe vous rappellera au zéro quatre"
    )
    assert heard.said[0].endswith(", avant 12 h.")
    # Not hung up on: the call goes on with keypad answers.
    assert not heard.hung_up and not heard.dialled and heard.waits_for_answer
    assert "Voulez-vous autre chose ?" in heard.text
    assert "Pour « Non merci, au revoir », tapez 3" in heard.text
    (task,) = tasks(line)
    assert (task.phone, task.person_id, task.reason, task.status) == (
        phone,
        person.id,
        "asked_for_human",
        CallbackStatus.open,
    )
    assert task.last_words == "je voudrais faire réparer mon robinet"
    assert task.due_by.astimezone(line.clock().tzinfo) > line.clock()
    # 3: a polite goodbye, not a bare hang-up.
    heard = call.answer(digits="3")
    assert heard.hung_up and heard.said == ["Au revoir, et à bientôt !"]


def test_asking_again_in_the_same_call_opens_no_second_task_and_ends_politely(
    line_without_dispatcher: Line, session: Session
) -> None:
    line = line_without_dispatcher
    person = germaine(session)
    session.commit()
    call = line.call(person.contact(ContactKind.phone) or "")
    call.start()
    call.answer(digits="0")
    heard = call.answer(speech="je veux parler à un opérateur")
    assert heard.hung_up and heard.said[0].startswith("Personne n'est disponible")
    assert heard.said[0].endswith("Merci de votre patience. Au revoir.")
    assert len(tasks(line)) == 1


def test_a_transfer_nobody_answers_opens_one_callback_even_when_twilio_retries(
    line: Line, session: Session
) -> None:
    person = germaine(session)
    session.commit()
    call = line.call(person.contact(ContactKind.phone) or "")
    call.start()
    heard = call.answer(digits="0")
    assert heard.dialled == [DISPATCHER]
    assert heard.dial is not None
    action = heard.dial["action"]
    form = {**call.base_form(), "DialCallStatus": "no-answer", "DialCallSid": "CA" + "2" * 32}
    first = call.signed_post(action, form)
    again = call.signed_post(action, form)  # Twilio retries the same request
    assert first.said[0].startswith(
        "Personne de l'équipe n'a pu décrocher pour l'instant. "
        "Quelqu'un de l'équipe vous rappellera au"
    )
    assert not first.hung_up and first.waits_for_answer
    assert again.said == first.said
    (task,) = tasks(line)
    assert task.reason == "transfer_unanswered" and task.person_id == person.id
    # Nobody took the call: the bot has it again, so the caller's answers are heard.
    assert line.conversation(task.phone).handled_by == "bot"
    heard = call.answer(digits="2")
    assert not heard.dialled and heard.said


def test_a_masked_call_to_the_helper_that_fails_opens_a_callback(
    line: Line, session: Session
) -> None:
    requester, helper = germaine(session), karim(session)
    assigned(session, requester, helper, line.clock())
    call = line.call(requester.contact(ContactKind.phone) or "")
    call.start()
    heard = call.answer(digits="1")
    assert heard.dialled == [helper.contact(ContactKind.phone)]
    heard = call.after_dial("busy")
    assert heard.said[0].startswith(
        "La personne ne répond pas pour le moment. Quelqu'un de l'équipe vous rappellera au"
    )
    assert not heard.hung_up and heard.waits_for_answer
    (task,) = tasks(line)
    assert (task.reason, task.person_id) == ("helper_unreachable", requester.id)


def test_a_callback_call_picked_up_is_put_through_to_the_dispatcher(
    line: Line, session: Session
) -> None:
    from backend.callbacks.service import call_back, open_callback

    person = germaine(session)
    phone = person.contact(ContactKind.phone) or ""
    task, _ = open_callback(
        session,
        key="voice:CAtest",
        phone=phone,
        reason="asked_for_human",
        now=line.clock(),
        person_id=person.id,
    )
    call_back(session, task.id, person.id, line.clock())
    session.commit()
    line.deliver()
    (placed,) = line.fake.calls_to(phone)
    _, heard = line.pick_up(placed)
    assert heard.said[-1].startswith("Bonjour, ici Coup de main. Vous nous aviez appelés")
    assert heard.dialled == [DISPATCHER]
    (row,) = line.rows(select(OutboxMessage).where(OutboxMessage.kind == "callback"))
    assert row.address == phone
