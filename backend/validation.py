"""Field checks that several domains' schemas share, with one wording for each refusal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from backend.people.models import SERVICES

MAX_DB_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL's int4 ends here

DbId = Annotated[
    int, Field(ge=1, le=MAX_DB_ID, description=f"a database id, from 1 to {MAX_DB_ID}")
]
"""A database id from outside (path, query or body): a larger one cannot name a row, and
PostgreSQL refuses to compare it with an INTEGER column (an error, not a miss)."""


def known_service(service: str | None) -> str | None:
    if service is not None and service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; known: {list(SERVICES)}")
    return service


def aware(value: datetime | None) -> datetime | None:
    """Times from outside must say their offset: '10:00' alone is ambiguous."""
    if value is not None and value.tzinfo is None:
        raise ValueError("give a timezone offset, e.g. 2026-11-23T10:00:00+01:00")
    return value
