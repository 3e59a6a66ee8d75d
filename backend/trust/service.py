"""Trust: ratings after a finished job, reports of problems, and their resolution."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.people.models import Person, Role
from backend.people.service import get_person
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.service import flag_for_dispatcher, get_request
from backend.trust.models import Rating, Report, ReportKind, ReportStatus
from backend.trust.schemas import RatingPublic

# How a report reads in a request's flag, for French-speaking dispatchers.
REPORT_KIND_FR: dict[ReportKind, str] = {
    ReportKind.no_show: "personne n'est venu",
    ReportKind.rude: "comportement impoli",
    ReportKind.damage: "dégât",
    ReportKind.wrong_charge: "montant contesté",
    ReportKind.other: "autre problème",
}


def rate(
    session: Session,
    request_id: int,
    rater_id: int,
    stars: int,
    comment: str = "",
    *,
    now: datetime | None = None,
) -> Rating:
    """The requester rates the helper, or the helper rates the requester, once a job is done.

    One rating per rater and job: the same rating sent again (a retried message) returns the
    first one; a different one is a Conflict, because a rating is not edited afterwards.
    """
    if not 1 <= stars <= 5:
        raise InvalidInput("stars must be between 1 and 5", stars=stars)
    comment = comment.strip()
    request = get_request(session, request_id)
    ratee_id = _ratee(request, rater_id)
    existing = _existing(session, request_id, rater_id)
    if existing is not None:
        return _same_or_conflict(existing, stars, comment)
    rating = Rating(
        request_id=request.id,
        rater_id=rater_id,
        ratee_id=ratee_id,
        stars=stars,
        comment=comment,
        created_at=now or utcnow(),
    )
    try:
        # A savepoint: losing a race to the unique constraint must not undo the caller's work.
        with session.begin_nested():
            session.add(rating)
    except IntegrityError:
        existing = _existing(session, request_id, rater_id)
        if existing is None:
            raise
        return _same_or_conflict(existing, stars, comment)
    return rating


def _ratee(request: HelpRequest, rater_id: int) -> int:
    if rater_id not in (request.requester_id, request.helper_id):
        raise Forbidden("only the requester and the helper of a job may rate it")
    if request.status != RequestStatus.done or request.helper_id is None:
        raise Conflict(
            f"only a finished job can be rated; this one is {request.status}",
            status=request.status,
        )
    return request.helper_id if rater_id == request.requester_id else request.requester_id


def _existing(session: Session, request_id: int, rater_id: int) -> Rating | None:
    return session.scalar(
        select(Rating).where(Rating.request_id == request_id, Rating.rater_id == rater_id)
    )


def _same_or_conflict(existing: Rating, stars: int, comment: str) -> Rating:
    if existing.stars == stars and existing.comment == comment:
        return existing
    raise Conflict(
        f"you already rated this job ({existing.stars}/5); a rating cannot be changed",
        rating_id=existing.id,
        stars=existing.stars,
    )


def _as_helper() -> ColumnElement[bool]:
    # Only the ratings a person received for help they gave, not those received as requester.
    return and_(
        HelpRequest.id == Rating.request_id,
        HelpRequest.helper_id == Rating.ratee_id,
        HelpRequest.requester_id == Rating.rater_id,
    )


def helper_rating_summary(
    session: Session, helper_ids: Sequence[int]
) -> dict[int, tuple[int, float]]:
    """helper id -> (number of ratings, mean stars), in one query.

    Helpers without any rating are absent: a mean of nothing is not a score.
    """
    if not helper_ids:
        return {}
    stmt = (
        select(Rating.ratee_id, func.count(), func.avg(Rating.stars))
        .join(HelpRequest, _as_helper())
        .where(Rating.ratee_id.in_(set(helper_ids)))
        .group_by(Rating.ratee_id)
    )
    return {pid: (int(n), float(mean)) for pid, n, mean in session.execute(stmt)}


def ratings_of_helper(
    session: Session, helper_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[RatingPublic], int]:
    """The ratings a helper received, newest first, for anyone to read."""
    stmt = (
        select(Rating, Person.display_name, HelpRequest.service)
        .join(HelpRequest, _as_helper())
        .join(Person, Person.id == Rating.rater_id)
        .where(Rating.ratee_id == helper_id)
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Rating.created_at.desc(), Rating.id.desc()).limit(limit).offset(offset)
    )
    items = [
        RatingPublic(
            stars=rating.stars,
            comment=rating.comment,
            created_at=rating.created_at,
            rater_first_name=_first_name(name),
            service=service,
        )
        for rating, name, service in rows
    ]
    return items, total


def _first_name(display_name: str) -> str:
    words = display_name.split()
    return words[0] if words else ""


def report(
    session: Session,
    reporter_id: int,
    kind: str,
    text: str = "",
    request_id: int | None = None,
    about_id: int | None = None,
    *,
    now: datetime | None = None,
) -> Report:
    """File a report. One about a job flags that job for a dispatcher."""
    try:
        report_kind = ReportKind(kind)
    except ValueError:
        raise InvalidInput(
            f"unknown report kind {kind!r}; known: {[k.value for k in ReportKind]}"
        ) from None
    text = text.strip()
    if report_kind == ReportKind.other and not text:
        raise InvalidInput("say what happened: a report of kind 'other' needs a text")
    reporter = get_person(session, reporter_id)
    request = get_request(session, request_id) if request_id is not None else None
    if request is not None:
        about_id = _about_for_request(reporter, request, about_id)
    if about_id is not None:
        get_person(session, about_id)
        if about_id == reporter.id:
            raise InvalidInput("you cannot report yourself")
    filed = Report(
        reporter_id=reporter.id,
        request_id=request.id if request else None,
        about_id=about_id,
        kind=report_kind,
        text=text,
        status=ReportStatus.open,
        created_at=now or utcnow(),
    )
    session.add(filed)
    session.flush()
    if request is not None:
        reason = f"Signalement n° {filed.id} : {REPORT_KIND_FR[report_kind]}"
        flag_for_dispatcher(session, request, reason, actor_id=reporter.id)
    return filed


def _about_for_request(reporter: Person, request: HelpRequest, about_id: int | None) -> int | None:
    """Only the people of a job report about it; by default, about the other one."""
    parties = (request.requester_id, request.helper_id)
    staff = reporter.has_role(Role.dispatcher, Role.admin)
    if reporter.id not in parties and not staff:
        raise Forbidden("only the requester and the helper of a job may report about it")
    if about_id is not None:
        if about_id not in parties:
            raise InvalidInput("the person reported is not part of this job", about_id=about_id)
        return about_id
    if reporter.id == request.requester_id:
        return request.helper_id
    if reporter.id == request.helper_id:
        return request.requester_id
    return None


def get_report(session: Session, report_id: int) -> Report:
    found = session.get(Report, report_id)
    if found is None:
        raise NotFound(f"report {report_id} not found")
    return found


def list_reports(
    session: Session,
    *,
    status: ReportStatus | None = ReportStatus.open,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Report], int]:
    """Reports, oldest first: the one waiting longest is handled first."""
    stmt = select(Report)
    if status is not None:
        stmt = stmt.where(Report.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Report.created_at, Report.id).limit(limit).offset(offset))
    return list(rows), total


def resolve_report(
    session: Session,
    report_id: int,
    resolver: Person,
    resolution: str,
    *,
    now: datetime | None = None,
) -> Report:
    """A dispatcher closes a report with what was done. Sending the same again is harmless."""
    if not resolver.has_role(Role.dispatcher, Role.admin):
        raise Forbidden("only a dispatcher may resolve a report")
    resolution = resolution.strip()
    if not resolution:
        raise InvalidInput("say what was done to resolve the report")
    found = get_report(session, report_id)
    if found.status == ReportStatus.resolved:
        if found.resolution == resolution:
            return found
        raise Conflict("this report is already resolved", resolved_by_id=found.resolved_by_id)
    found.status = ReportStatus.resolved
    found.resolution = resolution
    found.resolved_by_id = resolver.id
    found.resolved_at = now or utcnow()
    session.flush()
    return found
