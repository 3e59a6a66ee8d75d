"""A clock the tests move by hand, and apps whose login throttle reads it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from fastapi import FastAPI

from backend.db import utcnow


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def throttle_reads(app: FastAPI, clock: Clock) -> Clock:
    """The app's login throttle, as create_app built it, now reading `clock`."""
    app.state.login_throttle = dataclasses.replace(app.state.login_throttle, clock=clock)
    return clock
