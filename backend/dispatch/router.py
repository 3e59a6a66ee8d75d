"""Offering, accepting and following a job. The helper is always the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request

from backend.api_deps import CurrentUser, DispatcherUser, SessionDep
from backend.db import utcnow
from backend.dispatch import service
from backend.dispatch.errors import AlreadyTaken, OfferClosed
from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.schemas import (
    AcceptOut,
    AssignIn,
    CancelIn,
    DispatchOut,
    OfferOut,
    RequestStateOut,
)
from backend.requests.service import get_request
from backend.validation import DbId

router = APIRouter(tags=["dispatch"])

DEFAULT_POLICY = DispatchPolicy()


def dispatch_policy(request: Request) -> DispatchPolicy:
    """The composition root may set `app.state.dispatch_policy`; otherwise the defaults."""
    return getattr(request.app.state, "dispatch_policy", None) or DEFAULT_POLICY


PolicyDep = Annotated[DispatchPolicy, Depends(dispatch_policy)]


@router.post("/requests/{request_id}/dispatch", response_model=DispatchOut)
def dispatch(
    request_id: DbId, session: SessionDep, _user: DispatcherUser, policy: PolicyDep
) -> DispatchOut:
    """Offer an open request to the best few helpers (none: it is flagged for a dispatcher)."""
    help_request = get_request(session, request_id)
    offers = service.start_dispatch(session, help_request, policy, utcnow())
    return DispatchOut(
        request_id=help_request.id,
        status=help_request.status,
        needs_dispatcher=help_request.needs_dispatcher,
        flag_reason=help_request.flag_reason,
        offers=[OfferOut.model_validate(o) for o in offers],
    )


@router.post(
    "/offers/{offer_id}/accept",
    response_model=AcceptOut,
    responses={409: {"description": "already_taken, or offer_closed (expired, cancelled)"}},
)
def accept(offer_id: DbId, session: SessionDep, user: CurrentUser) -> AcceptOut:
    result = service.accept_offer(session, offer_id, user.id, utcnow())
    if result.outcome == service.AcceptOutcome.already_taken:
        raise AlreadyTaken(result.text(user.language), request_id=result.request_id)
    if not result.won:
        raise OfferClosed(result.text(user.language), reason=result.outcome)
    return AcceptOut.of(result)


@router.post("/offers/{offer_id}/decline", response_model=OfferOut)
def decline(offer_id: DbId, session: SessionDep, user: CurrentUser) -> OfferOut:
    return OfferOut.model_validate(service.decline_offer(session, offer_id, user.id, utcnow()))


@router.post("/requests/{request_id}/assign", response_model=RequestStateOut)
def assign(
    request_id: DbId, data: AssignIn, session: SessionDep, user: DispatcherUser
) -> RequestStateOut:
    """A dispatcher's choice of helper; pending offers are withdrawn."""
    help_request = service.assign_by_hand(session, request_id, data.helper_id, user.id, utcnow())
    return RequestStateOut.model_validate(help_request)


@router.post("/requests/{request_id}/reassign", response_model=RequestStateOut)
def reassign(
    request_id: DbId, data: AssignIn, session: SessionDep, user: DispatcherUser
) -> RequestStateOut:
    """An assigned job, not started yet, given to another helper; the first one is released."""
    help_request = service.reassign_by_hand(session, request_id, data.helper_id, user.id, utcnow())
    return RequestStateOut.model_validate(help_request)


@router.post("/requests/{request_id}/start", response_model=RequestStateOut)
def start(request_id: DbId, session: SessionDep, user: CurrentUser) -> RequestStateOut:
    return RequestStateOut.model_validate(service.start_job(session, request_id, user.id))


@router.post("/requests/{request_id}/complete", response_model=RequestStateOut)
def complete(
    request_id: DbId, session: SessionDep, user: CurrentUser, http: Request
) -> RequestStateOut:
    bps = int(getattr(http.app.state, "commission_bps", 0))
    return RequestStateOut.model_validate(
        service.complete_job(session, request_id, user.id, commission_bps=bps)
    )


@router.post("/requests/{request_id}/cancel", response_model=RequestStateOut)
def cancel(
    request_id: DbId,
    session: SessionDep,
    user: CurrentUser,
    data: Annotated[CancelIn | None, Body()] = None,
) -> RequestStateOut:
    reason = data.reason if data else ""
    return RequestStateOut.model_validate(
        service.cancel_request(session, request_id, user.id, reason)
    )
