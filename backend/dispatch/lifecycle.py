"""After assignment: the job starts, is done, or the request is cancelled."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.dispatch import messages, store
from backend.dispatch.assignment import withdraw_pending
from backend.errors import DomainError, Forbidden
from backend.ledger.jobs import settle_job
from backend.people.models import Person, Role
from backend.requests.models import HelpRequest, PayMode, RequestStatus
from backend.requests.service import flag_for_dispatcher, transition


def _actor(session: Session, actor_id: int) -> Person:
    actor = session.get(Person, actor_id)
    if actor is None:
        raise Forbidden(f"unknown person {actor_id}")
    return actor


def _is_dispatcher(actor: Person) -> bool:
    return actor.has_role(Role.dispatcher, Role.admin)


def start_job(session: Session, request_id: int, actor_id: int) -> HelpRequest:
    """The assigned helper (or a dispatcher) says the job has begun."""
    request = store.lock_request(session, request_id)
    actor = _actor(session, actor_id)
    if actor.id != request.helper_id and not _is_dispatcher(actor):
        raise Forbidden("only the assigned helper or a dispatcher can start this job")
    if request.status == RequestStatus.in_progress:
        return request  # a repeated tap changes nothing
    transition(session, request, RequestStatus.in_progress, actor_id=actor.id)
    return request


def complete_job(
    session: Session, request_id: int, actor_id: int, *, commission_bps: int
) -> HelpRequest:
    """The helper, the requester or a dispatcher says the job is done: the payment is recorded
    in the ledger (cash or time credits; nothing for volunteer help) and the requester is
    asked for a rating."""
    request = store.lock_request(session, request_id)
    actor = _actor(session, actor_id)
    parties = (request.helper_id, request.requester_id)
    if actor.id not in parties and not _is_dispatcher(actor):
        raise Forbidden("only the helper, the requester or a dispatcher can close this job")
    if request.status == RequestStatus.done:
        return request
    transition(session, request, RequestStatus.done, actor_id=actor.id)
    _settle(session, request, actor.id, commission_bps)
    requester = session.get(Person, request.requester_id)
    helper = session.get(Person, request.helper_id) if request.helper_id else None
    if requester is not None and helper is not None:
        messages.send_rate_request(session, request, requester, helper)
    return request


def _settle(session: Session, request: HelpRequest, actor_id: int, commission_bps: int) -> None:
    """A payment that cannot be recorded (no duration for time credits, an empty time
    account) must not undo the job: it goes to a dispatcher instead."""
    if request.pay_mode == PayMode.volunteer or request.helper_id is None:
        return
    try:
        with session.begin_nested():
            settle_job(
                session,
                request_id=request.id,
                requester_id=request.requester_id,
                helper_id=request.helper_id,
                pay_mode=PayMode(request.pay_mode),
                price_cents=request.price_cents,
                duration_minutes=request.duration_minutes,
                commission_bps=commission_bps if request.pay_mode == PayMode.cash else 0,
                actor_id=actor_id,
            )
    except DomainError as exc:
        flag_for_dispatcher(
            session, request, f"paiement à régler : {exc.message}", actor_id=actor_id
        )


def cancel_request(
    session: Session, request_id: int, actor_id: int, reason: str = ""
) -> HelpRequest:
    """The requester or a dispatcher cancels: pending offers are withdrawn, the timers stop,
    and an assigned helper is told not to come."""
    request = store.lock_request(session, request_id)
    actor = _actor(session, actor_id)
    if actor.id != request.requester_id and not _is_dispatcher(actor):
        raise Forbidden("only the requester or a dispatcher can cancel this request")
    if request.status == RequestStatus.cancelled:
        return request
    transition(session, request, RequestStatus.cancelled, actor_id=actor.id, note=reason)
    withdraw_pending(session, request, "cancelled")
    store.cancel_round_timers(session, request.id)
    if request.helper_id is not None:
        helper = session.get(Person, request.helper_id)
        if helper is not None:
            messages.send_cancelled_to_helper(session, request, helper, reason)
    return request
