"""Dispatch: offer a request to the best helpers, let the first Accept win, move on when
nobody answers, and follow the job to its end. The public surface, in one place."""

from backend.dispatch.assignment import (
    AcceptOutcome,
    AcceptResult,
    accept_offer,
    assign_by_hand,
)
from backend.dispatch.lifecycle import cancel_request, complete_job, start_job
from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.reassignment import reassign_by_hand
from backend.dispatch.rounds import NOBODY_AVAILABLE, decline_offer, expire_offers, start_dispatch

__all__ = [
    "NOBODY_AVAILABLE",
    "AcceptOutcome",
    "AcceptResult",
    "DispatchPolicy",
    "accept_offer",
    "assign_by_hand",
    "cancel_request",
    "complete_job",
    "decline_offer",
    "expire_offers",
    "reassign_by_hand",
    "start_dispatch",
    "start_job",
]
