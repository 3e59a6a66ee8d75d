from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Conflict, Forbidden, InvalidInput
from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from backend.requests.models import RequestEvent
from backend.requests.service import get_request
from backend.trust.models import ReportStatus
from backend.trust.service import list_reports, report, resolve_report
from tests.factories import make_resident
from tests.trust.trust_helpers import finished_job


def test_a_report_about_a_job_flags_it_for_a_dispatcher(session: Session) -> None:
    request, requester, helper = finished_job(session)
    filed = report(session, requester.id, "no_show", "Personne n'est venu", request_id=request.id)
    session.commit()
    assert filed.about_id == helper.id  # by default, about the other person of the job
    flagged = get_request(session, request.id)
    assert flagged.needs_dispatcher
    assert f"n° {filed.id}" in flagged.flag_reason
    kinds = session.scalars(
        select(RequestEvent.kind).where(RequestEvent.request_id == request.id)
    ).all()
    assert kinds[-1] == "flag"


def test_only_the_people_of_a_job_report_about_it(session: Session) -> None:
    request, _, _ = finished_job(session)
    stranger = make_resident(session)
    with pytest.raises(Forbidden):
        report(session, stranger.id, "rude", request_id=request.id)


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [("juggling", "x", "unknown report kind"), ("other", "  ", "needs a text")],
)
def test_malformed_reports_are_refused(
    session: Session, kind: str, text: str, message: str
) -> None:
    person = make_resident(session)
    with pytest.raises(InvalidInput, match=message):
        report(session, person.id, kind, text)


def test_nobody_reports_themselves(session: Session) -> None:
    person = make_resident(session)
    with pytest.raises(InvalidInput, match="yourself"):
        report(session, person.id, "rude", "moi", about_id=person.id)


def test_a_dispatcher_resolves_a_report_once(session: Session) -> None:
    request, requester, _ = finished_job(session)
    dispatcher = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    filed = report(session, requester.id, "wrong_charge", "20 € au lieu de 15", request.id)
    session.commit()
    assert [r.id for r in list_reports(session)[0]] == [filed.id]

    with pytest.raises(Forbidden):
        resolve_report(session, filed.id, requester, "fait")
    done = resolve_report(session, filed.id, dispatcher, "Remboursé 5 €")
    assert resolve_report(session, filed.id, dispatcher, "Remboursé 5 €") is done
    with pytest.raises(Conflict):
        resolve_report(session, filed.id, dispatcher, "autre chose")
    session.commit()
    assert done.status == ReportStatus.resolved and done.resolved_by_id == dispatcher.id
    assert list_reports(session) == ([], 0)
