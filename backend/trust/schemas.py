"""Ratings and reports in and out of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.trust.models import ReportKind, ReportStatus
from backend.validation import DbId


class RatingCreate(BaseModel):
    request_id: DbId
    stars: int = Field(ge=1, le=5, description="1 (bad) to 5 (excellent)")
    comment: str = Field(default="", max_length=1000)


class RatingOut(BaseModel):
    """A rating as its author sees it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    request_id: int
    rater_id: int
    ratee_id: int
    stars: int
    comment: str
    created_at: datetime


class RatingPublic(BaseModel):
    """A helper's rating as anyone sees it: who gave it is only a first name."""

    stars: int
    comment: str
    created_at: datetime
    rater_first_name: str
    service: str | None


class RatingSummaryOut(BaseModel):
    helper_id: int
    count: int
    mean: float | None = Field(description="raw mean of the stars; null without ratings")


class ReportCreate(BaseModel):
    kind: ReportKind
    text: str = Field(default="", max_length=4000)
    request_id: DbId | None = None
    about_id: DbId | None = Field(default=None, description="the person reported, if any")


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    reporter_id: int
    request_id: int | None
    about_id: int | None
    kind: ReportKind
    text: str
    status: ReportStatus
    created_at: datetime
    resolved_at: datetime | None
    resolved_by_id: int | None
    resolution: str


class ReportResolve(BaseModel):
    resolution: str = Field(min_length=1, max_length=2000, description="what was done")
