"""Whether a job is still to come: only a job whose window has not ended (or one under way)
is announced as a coming visit; a job reported as a no-show is talked about as one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.requests.models import HelpRequest, RequestStatus
from backend.trust.models import Report, ReportKind
from dialogues.understanding import fold

# A window given by its start only lasts the job's duration, or this long.
DEFAULT_LENGTH = timedelta(hours=2)
# Words that say the helper never came ("personne n'est venu", "nobody came").
NO_SHOW_WORDS = (
    "personne n'est venu",
    "personne n est venu",
    "personne est venu",
    "pas venu",
    "pas venue",
    "jamais venu",
    "n'est pas passe",
    "pas passe",
    "nobody came",
    "no one came",
    "didn't come",
    "did not come",
    "didn't show",
    "never came",
    "never showed",
    "no show",
    "no-show",
)


def window_end(request: HelpRequest) -> datetime | None:
    """When the job's window is over; None for "as soon as possible" (never over by time)."""
    if request.window_end is not None:
        return request.window_end
    if request.window_start is not None:
        length = timedelta(minutes=request.duration_minutes) if request.duration_minutes else None
        return request.window_start + (length or DEFAULT_LENGTH)
    return None


def window_over(request: HelpRequest, now: datetime) -> bool:
    end = window_end(request)
    return end is not None and end <= now


def no_show_reported(session: Session, request: HelpRequest) -> bool:
    """The requester (or the team) reported that nobody came for this job."""
    found = session.scalar(
        select(Report.id)
        .where(Report.request_id == request.id, Report.kind == ReportKind.no_show)
        .limit(1)
    )
    return found is not None


def coming_or_under_way(session: Session, request: HelpRequest, now: datetime) -> bool:
    """A job to announce: under way, or assigned with its window still ahead (or open) and
    no report that nobody came."""
    if request.status == RequestStatus.in_progress:
        return True
    if request.status != RequestStatus.assigned:
        return False
    return not window_over(request, now) and not no_show_reported(session, request)


def says_nobody_came(text: str | None) -> bool:
    said = fold(text or "").replace("’", "'")
    return any(fold(words) in said for words in NO_SHOW_WORDS)


def reported_no_show(session: Session, requester_id: int) -> HelpRequest | None:
    """The requester's latest job still assigned to a helper who never came (reported so):
    what a caller is told about instead of a coming visit, until the team sorts it out."""
    jobs = session.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.requester_id == requester_id,
            HelpRequest.status == RequestStatus.assigned,
        )
        .order_by(HelpRequest.window_start.desc(), HelpRequest.id.desc())
        .limit(5)
    )
    return next((job for job in jobs if no_show_reported(session, job)), None)


def latest_past_job(session: Session, requester_id: int, now: datetime) -> HelpRequest | None:
    """The requester's latest job still assigned whose window is over: the one a "nobody
    came" is about."""
    jobs = session.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.requester_id == requester_id,
            HelpRequest.status.in_((RequestStatus.assigned, RequestStatus.in_progress)),
        )
        .order_by(HelpRequest.window_start.desc(), HelpRequest.id.desc())
        .limit(5)
    )
    return next((job for job in jobs if window_over(job, now)), None)
