"""Dispatch in and out of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.dispatch.assignment import AcceptResult
from backend.validation import DbId


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    request_id: int
    helper_id: int
    round: int
    rank: int
    score: float
    status: str
    created_at: datetime
    expires_at: datetime
    responded_at: datetime | None


class DispatchOut(BaseModel):
    request_id: int
    status: str
    needs_dispatcher: bool
    flag_reason: str
    offers: list[OfferOut]


class AcceptOut(BaseModel):
    outcome: str
    request_id: int
    offer_id: int
    message_fr: str
    message_en: str

    @classmethod
    def of(cls, result: AcceptResult) -> AcceptOut:
        return cls(
            outcome=result.outcome,
            request_id=result.request_id,
            offer_id=result.offer_id,
            message_fr=result.text("fr"),
            message_en=result.text("en"),
        )


class AssignIn(BaseModel):
    helper_id: DbId


class CancelIn(BaseModel):
    reason: str = Field(default="", max_length=200)


class RequestStateOut(BaseModel):
    """Where a request stands, for its parties and dispatchers (hence the safety word)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    status: str
    helper_id: int | None
    safety_word: str | None
    needs_dispatcher: bool
    flag_reason: str
    assigned_at: datetime | None
    completed_at: datetime | None
