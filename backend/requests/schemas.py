"""Help requests in and out of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.requests.models import PayMode
from backend.validation import DbId, aware, known_service


class HelpRequestCreate(BaseModel):
    requester_id: DbId
    service: str | None = None
    details: str = Field(default="", max_length=4000)
    place_text: str = Field(default="", max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    window_start: datetime | None = None
    window_end: datetime | None = None
    duration_minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    pay_mode: PayMode = PayMode.volunteer
    price_cents: int | None = Field(default=None, ge=0, le=1_000_000)
    language: str = Field(default="fr", pattern="^(fr|en)$")
    channel: str = Field(default="api", max_length=16)
    submit: bool = Field(default=True, description="open it now (false keeps a draft)")

    _known_service = field_validator("service")(known_service)

    _aware = field_validator("window_start", "window_end")(aware)

    @model_validator(mode="after")
    def _coherent(self) -> HelpRequestCreate:
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        if self.pay_mode == PayMode.cash and not self.price_cents:
            raise ValueError("a paid (cash) request needs price_cents")
        if self.pay_mode == PayMode.volunteer and self.price_cents:
            raise ValueError("a volunteer request has no price")
        return self


class RequestEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    actor_id: int | None
    note: str


class HelpRequestOut(BaseModel):
    """A request as a helper who is not (yet) assigned may see it: no exact place, and the
    details with addresses, numbers and codes masked (backend.requests.redaction)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    requester_id: int
    service: str | None
    details: str
    window_start: datetime | None
    window_end: datetime | None
    duration_minutes: int | None
    pay_mode: str
    price_cents: int | None
    language: str
    channel: str
    status: str
    helper_id: int | None
    needs_dispatcher: bool
    flag_reason: str
    created_at: datetime
    neighbourhood: str | None = None
    approx_distance_km: float | None = None


class HelpRequestDetail(HelpRequestOut):
    """Full detail for the requester, the assigned helper and dispatchers."""

    place_text: str
    lat: float | None
    lon: float | None
    requester_phone: str | None = None
    safety_word: str | None = None
    events: list[RequestEventOut] = []
