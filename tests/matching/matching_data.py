"""Rows the matching and dispatch tests need beyond tests/factories.py: past jobs with
ratings, and places a known distance from the centre."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus
from backend.trust.models import Rating
from tests.factories import CENTRE, make_request

KM_LAT = 1 / 111.195  # degrees of latitude per km


def north(km: float) -> tuple[float, float]:
    """A point `km` north of the centre."""
    return CENTRE[0] + km * KM_LAT, CENTRE[1]


def past_job(
    session: Session,
    requester: Person,
    helper: Person,
    *,
    at: datetime,
    stars: int | None = None,
    service: str = "errands",
) -> HelpRequest:
    """A job `helper` did for `requester`, assigned at `at`, rated `stars` by the requester."""
    job = make_request(session, requester, service=service)
    job.status, job.helper_id, job.assigned_at = RequestStatus.done, helper.id, at
    session.flush()
    if stars is not None:
        session.add(
            Rating(
                request_id=job.id,
                rater_id=requester.id,
                ratee_id=helper.id,
                stars=stars,
                created_at=at,
            )
        )
        session.flush()
    return job
