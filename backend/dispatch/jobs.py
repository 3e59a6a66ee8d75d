"""Timers dispatch leaves for the jobs worker, by kind: `job_handlers(policy)`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.rounds import expire_offers
from backend.dispatch.store import ROUND_EXPIRY

JobHandler = Callable[[Session, dict[str, Any], datetime], None]


def job_handlers(policy: DispatchPolicy) -> dict[str, JobHandler]:
    """Handlers using `policy` (its weights; each round keeps the numbers it started with)."""

    def expire_round(session: Session, payload: dict[str, Any], now: datetime) -> None:
        expire_offers(
            session,
            int(payload["request_id"]),
            now,
            round_no=payload.get("round"),
            policy=DispatchPolicy.from_payload(payload, policy),
        )

    return {ROUND_EXPIRY: expire_round}
