"""Recording a correction: masked text, the model's reading kept, one per message, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.errors import InvalidInput, NotFound
from backend.nlu_corrections.models import INTENTS, NluCorrection
from backend.nlu_corrections.service import correct
from tests.console.console_helpers import make_staff
from tests.factories import make_resident
from tests.nlu_corrections.corrections_helpers import conversation, message

READING = {"intent": "out_of_scope", "confidence": 0.41, "service": None, "language": "fr"}


def test_the_text_kept_for_training_has_no_phone_address_or_door_code(session: Session) -> None:
    jeanne = make_resident(session, "Jeanne Martin", telegram_id=1001)
    claire = make_staff(session, "claire")
    conv = conversation(session, person_id=jeanne.id)
    said = message(
        session,
        conv,
        "mon robinet fuit au 12 rue Dumenge, digicode 4512B, appelez au 06 12 34 56 78",
        reading=READING,
    )
    row = correct(
        session,
        conv.id,
        said.id,
        intent="request_help",
        service="diy",
        dispatcher_id=claire.id,
        language="fr",
    )
    assert row.text == (
        "mon robinet fuit au [adresse masquée], digicode [masqué], appelez au [numéro masqué]"
    )
    assert (row.model_intent, row.model_service, row.model_confidence) == (
        "out_of_scope",
        None,
        0.41,
    )
    assert (row.intent, row.service, row.language, row.dispatcher_id) == (
        "request_help",
        "diy",
        "fr",
        claire.id,
    )


def test_a_second_correction_of_a_message_replaces_the_first(session: Session) -> None:
    claire = make_staff(session, "claire")
    conv = conversation(session, person_id=None)
    said = message(session, conv, "je peux donner un coup de main samedi", reading=READING)
    correct(
        session,
        conv.id,
        said.id,
        intent="request_help",
        service=None,
        dispatcher_id=claire.id,
        language="fr",
    )
    correct(
        session,
        conv.id,
        said.id,
        intent="offer_help",
        service="",
        dispatcher_id=claire.id,
        language="fr",
    )
    rows = list(session.scalars(select(NluCorrection)))
    assert [(r.intent, r.service) for r in rows] == [("offer_help", None)]


@pytest.mark.parametrize(
    ("intent", "service", "reason"),
    [
        ("ask_weather", None, "nlu_unknown_intent"),
        ("request_help", "plumbing", "nlu_unknown_service"),
        ("greet", "errands", "nlu_service_intent"),
    ],
)
def test_unknown_intents_and_services_are_refused(
    session: Session, intent: str, service: str | None, reason: str
) -> None:
    conv = conversation(session, person_id=None)
    said = message(session, conv, "bonjour", reading=READING)
    with pytest.raises(InvalidInput) as refused:
        correct(
            session,
            conv.id,
            said.id,
            intent=intent,
            service=service,
            dispatcher_id=1,
            language="fr",
        )
    assert refused.value.details["reason"] == reason
    assert session.scalar(select(func.count()).select_from(NluCorrection)) == 0


@pytest.mark.parametrize(
    ("text", "direction", "author"),
    [
        ("Bonjour, que puis-je faire ?", "out", "bot"),
        ("[choix] pay:volunteer", "in", "person"),
        ("[touches] 2", "in", "person"),
        ("je vous appelle tout de suite", "out", "dispatcher"),
    ],
)
def test_replies_buttons_and_keys_are_no_words_to_correct(
    session: Session, text: str, direction: str, author: str
) -> None:
    conv = conversation(session, person_id=None)
    row = message(session, conv, text, direction=direction, author=author)
    with pytest.raises(InvalidInput) as refused:
        correct(
            session, conv.id, row.id, intent="greet", service=None, dispatcher_id=1, language="fr"
        )
    assert refused.value.details["reason"] == "nlu_not_words"


def test_a_message_of_another_conversation_is_not_found(session: Session) -> None:
    first = conversation(session, person_id=None, address="1")
    other = conversation(session, person_id=None, address="2")
    said = message(session, other, "bonjour")
    with pytest.raises(NotFound):
        correct(
            session, first.id, said.id, intent="greet", service=None, dispatcher_id=1, language="fr"
        )


def test_the_backend_knows_exactly_the_intents_the_model_is_trained_on() -> None:
    from nlu import DEFAULT_DATA_DIR
    from nlu.training_data import load_training_data

    assert set(INTENTS) == set(load_training_data(DEFAULT_DATA_DIR).intents)
