"""Field checks that several domains' schemas share, with one wording for each refusal."""

from __future__ import annotations

from datetime import datetime

from backend.people.models import SERVICES


def known_service(service: str | None) -> str | None:
    if service is not None and service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; known: {list(SERVICES)}")
    return service


def aware(value: datetime | None) -> datetime | None:
    """Times from outside must say their offset: '10:00' alone is ambiguous."""
    if value is not None and value.tzinfo is None:
        raise ValueError("give a timezone offset, e.g. 2026-11-23T10:00:00+01:00")
    return value
