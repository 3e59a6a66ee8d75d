"""Domain errors: the REST layer maps each kind to an HTTP status with a clear message."""

from __future__ import annotations


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
