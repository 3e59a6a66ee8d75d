"""A person's erasure and the retention purge take the corrections of their messages too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.nlu_corrections.models import NluCorrection
from backend.nlu_corrections.service import correct
from backend.privacy import RetentionPolicy, purge
from backend.privacy.erasure import erase_person
from tests.console.console_helpers import make_staff
from tests.factories import make_resident
from tests.nlu_corrections.corrections_helpers import conversation, message

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def _corrected(session: Session, conv_id: int, message_id: int, staff_id: int) -> None:
    correct(
        session,
        conv_id,
        message_id,
        intent="request_help",
        service="errands",
        dispatcher_id=staff_id,
        language="fr",
    )


def test_erasing_a_person_removes_the_corrections_of_their_messages(session: Session) -> None:
    claire = make_staff(session, "claire")
    jeanne = make_resident(session, "Jeanne Martin", telegram_id=1001)
    paul = make_resident(session, "Paul Roche", telegram_id=1002)
    hers = conversation(session, person_id=jeanne.id, address="1001")
    his = conversation(session, person_id=paul.id, address="1002")
    _corrected(session, hers.id, message(session, hers, "il me faut du pain").id, claire.id)
    _corrected(session, his.id, message(session, his, "des courses svp").id, claire.id)
    session.commit()

    erase_person(session, jeanne.id)
    session.commit()

    assert list(session.scalars(select(NluCorrection.text))) == ["des courses svp"]


def test_the_purge_removes_corrections_with_the_old_messages_and_keeps_recent_ones(
    session: Session,
) -> None:
    claire = make_staff(session, "claire")
    jeanne = make_resident(session, "Jeanne Martin", telegram_id=1001)
    conv = conversation(session, person_id=jeanne.id)
    old = message(session, conv, "du pain il y a longtemps", at=NOW - timedelta(days=400))
    recent = message(session, conv, "du pain hier", at=NOW - timedelta(days=1))
    conv.last_message_at = NOW - timedelta(days=1)
    _corrected(session, conv.id, old.id, claire.id)
    _corrected(session, conv.id, recent.id, claire.id)
    session.commit()

    report = purge(session, RetentionPolicy(), NOW)
    session.commit()

    assert report.counts["conversation intent corrections"] == 1
    assert list(session.scalars(select(NluCorrection.text))) == ["du pain hier"]
