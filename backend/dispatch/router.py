"""Offering, accepting and following a job. The helper is always the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from backend.api_deps import CurrentUser, DispatcherUser, SessionDep
from backend.db import utcnow
from backend.dispatch import service
from backend.dispatch.deps import DispatchConfigDep, PolicyDep
from backend.dispatch.errors import AlreadyTaken, OfferClosed
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
def decline(offer_id: DbId, session: SessionDep, user: CurrentUser, policy: PolicyDep) -> OfferOut:
    """When that was the last answer awaited, the next helpers are asked (by `policy`)."""
    declined = service.decline_offer(session, offer_id, user.id, utcnow(), policy)
    return OfferOut.model_validate(declined)


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
    request_id: DbId, session: SessionDep, user: CurrentUser, config: DispatchConfigDep
) -> RequestStateOut:
    """Done: a paid job is settled in the ledger at the configured commission."""
    bps = config.commission_bps
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
