"""Ratings (public to read, given by the people of a job) and reports (read by dispatchers)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api_deps import CurrentUser, DispatcherUser, PageDep, SessionDep
from backend.pagination import PageOf
from backend.people.service import get_person
from backend.trust.models import ReportStatus
from backend.trust.schemas import (
    RatingCreate,
    RatingOut,
    RatingPublic,
    RatingSummaryOut,
    ReportCreate,
    ReportOut,
    ReportResolve,
)
from backend.trust.service import (
    get_report,
    helper_rating_summary,
    list_reports,
    rate,
    ratings_of_helper,
    report,
    resolve_report,
)
from backend.validation import DbId

ratings_router = APIRouter(prefix="/ratings", tags=["trust"])
reports_router = APIRouter(prefix="/reports", tags=["trust"])


@ratings_router.post("", response_model=RatingOut, status_code=201)
def give_rating(session: SessionDep, data: RatingCreate, user: CurrentUser) -> RatingOut:
    """Rate the other person of a finished job; the same rating sent twice is kept once."""
    rating = rate(session, data.request_id, user.id, data.stars, data.comment)
    return RatingOut.model_validate(rating)


@ratings_router.get("/helpers/{helper_id}", response_model=PageOf[RatingPublic])
def helper_ratings(session: SessionDep, helper_id: DbId, page: PageDep) -> PageOf[RatingPublic]:
    """What neighbours said of a helper (public)."""
    get_person(session, helper_id)
    items, total = ratings_of_helper(session, helper_id, limit=page.limit, offset=page.offset)
    return PageOf[RatingPublic](items=items, total=total, limit=page.limit, offset=page.offset)


@ratings_router.get("/helpers/{helper_id}/summary", response_model=RatingSummaryOut)
def helper_summary(session: SessionDep, helper_id: DbId) -> RatingSummaryOut:
    get_person(session, helper_id)
    count, mean = helper_rating_summary(session, [helper_id]).get(helper_id, (0, None))
    return RatingSummaryOut(helper_id=helper_id, count=count, mean=mean)


@reports_router.post("", response_model=ReportOut, status_code=201)
def file_report(session: SessionDep, data: ReportCreate, user: CurrentUser) -> ReportOut:
    filed = report(session, user.id, data.kind, data.text, data.request_id, data.about_id)
    return ReportOut.model_validate(filed)


@reports_router.get("", response_model=PageOf[ReportOut])
def reports(
    session: SessionDep,
    _dispatcher: DispatcherUser,
    page: PageDep,
    status: ReportStatus = ReportStatus.open,
) -> PageOf[ReportOut]:
    """Open reports by default, oldest first."""
    rows, total = list_reports(session, status=status, limit=page.limit, offset=page.offset)
    return PageOf[ReportOut](
        items=[ReportOut.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@reports_router.get("/{report_id}", response_model=ReportOut)
def read_report(session: SessionDep, report_id: DbId, _dispatcher: DispatcherUser) -> ReportOut:
    return ReportOut.model_validate(get_report(session, report_id))


@reports_router.post("/{report_id}/resolve", response_model=ReportOut)
def resolve(
    session: SessionDep, report_id: DbId, data: ReportResolve, dispatcher: DispatcherUser
) -> ReportOut:
    return ReportOut.model_validate(resolve_report(session, report_id, dispatcher, data.resolution))
