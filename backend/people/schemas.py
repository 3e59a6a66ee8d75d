"""What the API and other domains pass in and get out about people."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backend.people.models import SERVICES, Role


class AddressIn(BaseModel):
    street: str = Field(min_length=1, max_length=200)
    postcode: str = Field(default="", max_length=12)
    city: str = Field(default="", max_length=100)
    neighbourhood: str = Field(default="", max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class AddressOut(AddressIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    verified_at: datetime | None = None


class AvailabilityIn(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start_minute: int = Field(ge=0, le=24 * 60)
    end_minute: int = Field(ge=0, le=24 * 60)

    @field_validator("end_minute")
    @classmethod
    def _after_start(cls, end: int, info: object) -> int:
        start = getattr(info, "data", {}).get("start_minute")
        if start is not None and end <= start:
            raise ValueError("end_minute must be after start_minute")
        return end


class HelperProfileIn(BaseModel):
    services: list[str] = Field(min_length=1)
    radius_km: float = Field(default=3.0, gt=0, le=100)
    languages: list[str] = Field(default_factory=lambda: ["fr"])
    availability: list[AvailabilityIn] = Field(default_factory=list)
    bio: str = Field(default="", max_length=500)

    @field_validator("services")
    @classmethod
    def _known_services(cls, services: list[str]) -> list[str]:
        unknown = sorted(set(services) - set(SERVICES))
        if unknown:
            raise ValueError(f"unknown services {unknown}; known: {list(SERVICES)}")
        return sorted(set(services))


class PersonCreate(BaseModel):
    display_name: str = Field(min_length=1, max_length=120)
    language: str = Field(default="fr", pattern="^(fr|en)$")
    roles: list[Role] = Field(default_factory=lambda: [Role.resident])
    phone: str | None = None
    telegram_id: int | None = None
    address: AddressIn | None = None
    helper: HelperProfileIn | None = None
    login: str | None = Field(default=None, max_length=120)
    password: str | None = Field(default=None, min_length=8, max_length=200)


class HelperProfileOut(BaseModel):
    services: list[str]
    radius_km: float
    languages: list[str]
    verified: bool
    active: bool
    availability: list[AvailabilityIn]


class PersonPublic(BaseModel):
    """What anyone allowed to see a person sees: no exact address, no phone."""

    id: int
    display_name: str
    language: str
    roles: list[str]
    neighbourhood: str | None = None
    helper: HelperProfileOut | None = None


class PersonCounterpart(BaseModel):
    """The other party of a job under way, as the job needs them and no more: the helper
    going there gets the requester's phone and the job's address; the requester gets the
    helper's name."""

    id: int
    display_name: str
    language: str
    phone: str | None = None
    address: AddressOut | None = None


class PersonOut(PersonPublic):
    """The full record, for the person themselves and for dispatchers."""

    status: str
    phone: str | None = None
    telegram_id: int | None = None
    address: AddressOut | None = None
    created_at: datetime
