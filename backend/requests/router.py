"""Help requests: residents ask, dispatchers see all, helpers see what they were offered."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from backend.api_deps import CurrentUser, NotAllowed, PageDep, SessionDep
from backend.dispatch.models import Offer
from backend.pagination import PageOf, paginate
from backend.people.models import Role
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.schemas import HelpRequestCreate, HelpRequestDetail, HelpRequestOut
from backend.requests.service import create_request
from backend.requests.visibility import approximate_view, detailed_view, request_view
from backend.validation import DbId

router = APIRouter(prefix="/requests", tags=["requests"])


@router.post("", response_model=HelpRequestDetail, status_code=201)
def create(session: SessionDep, data: HelpRequestCreate, user: CurrentUser) -> HelpRequestDetail:
    if data.requester_id != user.id and not user.has_role(Role.dispatcher, Role.admin):
        raise NotAllowed("you may only ask for help for yourself")
    return detailed_view(session, create_request(session, data))


@router.get("", response_model=PageOf[HelpRequestOut])
def list_requests(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    status: RequestStatus | None = None,
    needs_dispatcher: bool | None = None,
) -> PageOf[HelpRequestOut]:
    """Dispatchers see every request; anyone else sees the requests they made, were offered or
    were assigned."""
    stmt = select(HelpRequest).order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
    if not user.has_role(Role.dispatcher, Role.admin):
        offered = select(Offer.request_id).where(Offer.helper_id == user.id)
        stmt = stmt.where(
            (HelpRequest.requester_id == user.id)
            | (HelpRequest.helper_id == user.id)
            | HelpRequest.id.in_(offered)
        )
    if status:
        stmt = stmt.where(HelpRequest.status == status)
    if needs_dispatcher is not None:
        stmt = stmt.where(HelpRequest.needs_dispatcher == needs_dispatcher)
    rows, total = paginate(session, stmt, page.limit, page.offset)
    items = [approximate_view(session, r, user) for r in rows]
    return PageOf[HelpRequestOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{request_id}", response_model=HelpRequestDetail | HelpRequestOut)
def read(
    session: SessionDep, request_id: DbId, user: CurrentUser
) -> HelpRequestDetail | HelpRequestOut:
    """Everything for its requester, its assigned helper and dispatchers; a helper it was
    offered to sees it without the exact place and with its details masked; anyone else
    gets 404, as for a request that does not exist."""
    return request_view(session, request_id, user)
