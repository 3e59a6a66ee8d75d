"""Neighbourhood listings in and out of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator, model_validator

from backend.listings.models import ListingKind, ListingStatus
from backend.validation import aware, known_service


class ListingCreate(BaseModel):
    kind: ListingKind
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=4000)
    service: str | None = Field(default=None, description="one of the service ids, if any")
    neighbourhood: str | None = Field(
        default=None, max_length=100, description="default: the author's neighbourhood"
    )
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    price_cents: int | None = Field(default=None, ge=0, le=1_000_000)
    starts_at: datetime | None = Field(default=None, description="when an event begins")
    expires_at: datetime | None = Field(default=None, description="default depends on the kind")

    @field_validator("title")
    @classmethod
    def _not_blank(cls, title: str) -> str:
        if not title.strip():
            raise ValueError("the title cannot be blank")
        return title.strip()

    _known_service = field_validator("service")(known_service)

    _aware = field_validator("starts_at", "expires_at")(aware)

    @model_validator(mode="after")
    def _both_or_no_coordinates(self) -> ListingCreate:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class ListingOut(BaseModel):
    """What any neighbour sees: the author's first name only, the place to ~100 m."""

    id: int
    kind: ListingKind
    title: str
    body: str
    service: str | None
    neighbourhood: str
    lat: float | None
    lon: float | None
    price_cents: int | None
    status: ListingStatus
    starts_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    author_id: int
    author_first_name: str
    distance_km: float | None = None
