"""Domain errors: the REST layer maps each kind to an HTTP status with a clear message."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class DomainError(Exception):
    """Base of every refusal the domain makes on purpose."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class ProblemOut(BaseModel):
    """One field a request got wrong."""

    field: str = Field(description="where, dotted: 'address.postcode', 'person_id'")
    message: str
    type: str = Field(description="pydantic's kind of error: 'missing', 'less_than_equal'...")


class ErrorOut(BaseModel):
    """What every refusal of the API reads like (backend/api.py's handlers send it)."""

    error: str = Field(description="a stable code: not_found, validation_error, conflict...")
    message: str = Field(description="what was wrong, for a person to read")
    details: dict[str, Any] | list[ProblemOut] | None = Field(
        default=None,
        description="for validation_error the fields at fault; otherwise the refusal's facts",
    )


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("the body could not be read (bad_request)"),
    401: _error("no token, or an invalid or expired one (not_authenticated)"),
    403: _error("the token's person may not do this (forbidden)"),
    404: _error("a person, request or other row named in the path or body does not exist"),
    409: _error("the data's state does not allow it now (conflict, already_taken...)"),
    413: _error("the body is larger than the API accepts (too_large)"),
    422: _error("a field is missing or wrong (validation_error), or the body nests too deep"),
}
"""The refusals any API route may answer, each with the body the handlers really send;
every router gets them (backend/api.py) and may add its own words for one status."""
