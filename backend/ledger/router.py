"""Ledger REST endpoints: a person reads their own accounts and statement; dispatchers move
money (transfers, holds, captures, voids, refunds), always under an idempotency key for
anything that creates money movements, so a client's retry can never pay twice.

A replayed request answers with the first result and the header `Idempotent-Replayed: true`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from backend.api_deps import CurrentUser, DispatcherUser, NotAllowed, SessionDep
from backend.ledger import service
from backend.ledger.accounts import AccountView, get_account, open_account, person_accounts
from backend.ledger.schemas import (
    AccountOpen,
    AccountOut,
    HoldCreate,
    HoldPost,
    RefundCreate,
    StatementLineOut,
    StatementOut,
    TransferCreate,
    TransferOut,
    VerifyOut,
)
from backend.ledger.statements import StatementPage, person_statement, statement
from backend.ledger.verify import verify
from backend.ledger.views import TransferView
from backend.people.models import Person, Role
from backend.validation import MAX_DB_ID, DbId

router = APIRouter(prefix="/ledger", tags=["ledger"])

KeyRequired = Annotated[
    str,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, description="one per request"),
]
KeyOptional = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]
Before = Annotated[
    int | None,
    Query(ge=1, le=MAX_DB_ID, description="cursor: next_before of the last page"),
]


def _is_dispatcher(user: Person) -> bool:
    return user.has_role(Role.dispatcher, Role.admin)


def _may_read(user: Person, owner_id: int | None) -> None:
    if not _is_dispatcher(user) and owner_id != user.id:
        raise NotAllowed("you may only read your own accounts")


def _account(view: AccountView) -> AccountOut:
    return AccountOut.model_validate(view)


def _transfer(view: TransferView, response: Response) -> TransferOut:
    if view.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return TransferOut.model_validate(view)


def _statement(page: StatementPage, limit: int) -> StatementOut:
    items = [StatementLineOut.model_validate(line) for line in page.lines]
    return StatementOut(items=items, limit=limit, next_before=page.next_before)


@router.get("/people/{person_id}/accounts", response_model=list[AccountOut])
def accounts_of(session: SessionDep, person_id: DbId, user: CurrentUser) -> list[AccountOut]:
    _may_read(user, person_id)
    return [_account(a) for a in person_accounts(session, person_id)]


@router.get("/people/{person_id}/statement", response_model=StatementOut)
def statement_of_person(
    session: SessionDep,
    person_id: DbId,
    user: CurrentUser,
    limit: Limit = 50,
    before: Before = None,
) -> StatementOut:
    _may_read(user, person_id)
    return _statement(person_statement(session, person_id, limit=limit, before=before), limit)


@router.post("/accounts", response_model=AccountOut, status_code=201)
def open_(session: SessionDep, data: AccountOpen, _dispatcher: DispatcherUser) -> AccountOut:
    """Open (or find) the account of a kind for a person, or a system account."""
    return _account(open_account(session, data.kind, data.owner_id))


@router.get("/accounts/{account_id}", response_model=AccountOut)
def read_account(session: SessionDep, account_id: DbId, user: CurrentUser) -> AccountOut:
    account = get_account(session, account_id)
    _may_read(user, account.owner_id)
    return _account(account)


@router.get("/accounts/{account_id}/statement", response_model=StatementOut)
def statement_of_account(
    session: SessionDep,
    account_id: DbId,
    user: CurrentUser,
    limit: Limit = 50,
    before: Before = None,
) -> StatementOut:
    _may_read(user, get_account(session, account_id).owner_id)
    return _statement(statement(session, [account_id], limit=limit, before=before), limit)


@router.post("/transfers", response_model=TransferOut, status_code=201)
def create_transfer(
    session: SessionDep,
    data: TransferCreate,
    dispatcher: DispatcherUser,
    key: KeyRequired,
    response: Response,
) -> TransferOut:
    done = service.transfer(
        session, **data.model_dump(), actor_id=dispatcher.id, idempotency_key=key
    )
    return _transfer(done, response)


@router.get("/transfers/{transfer_id}", response_model=TransferOut)
def read_transfer(session: SessionDep, transfer_id: DbId, user: CurrentUser) -> TransferOut:
    found = service.get_transfer(session, transfer_id)
    if not _is_dispatcher(user):
        owners = {
            get_account(session, found.debit_account_id).owner_id,
            get_account(session, found.credit_account_id).owner_id,
        }
        if user.id not in owners:
            raise NotAllowed("you may only read transfers of your own accounts")
    return TransferOut.model_validate(found)


@router.post("/transfers/{transfer_id}/refunds", response_model=TransferOut, status_code=201)
def create_refund(
    session: SessionDep,
    transfer_id: DbId,
    data: RefundCreate,
    dispatcher: DispatcherUser,
    key: KeyRequired,
    response: Response,
) -> TransferOut:
    done = service.refund(
        session,
        transfer_id,
        amount=data.amount,
        memo=data.memo,
        actor_id=dispatcher.id,
        idempotency_key=key,
    )
    return _transfer(done, response)


@router.post("/holds", response_model=TransferOut, status_code=201)
def create_hold(
    session: SessionDep,
    data: HoldCreate,
    dispatcher: DispatcherUser,
    key: KeyRequired,
    response: Response,
) -> TransferOut:
    done = service.hold(session, **data.model_dump(), actor_id=dispatcher.id, idempotency_key=key)
    return _transfer(done, response)


@router.post("/holds/{hold_id}/post", response_model=TransferOut)
def post_hold(
    session: SessionDep,
    hold_id: DbId,
    dispatcher: DispatcherUser,
    response: Response,
    key: KeyOptional = None,
    data: HoldPost | None = None,
) -> TransferOut:
    """Capture the hold (all, or `amount` of it). Twice is refused unless the key repeats."""
    amount = data.amount if data else None
    done = service.post(
        session, hold_id, amount=amount, actor_id=dispatcher.id, idempotency_key=key
    )
    return _transfer(done, response)


@router.post("/holds/{hold_id}/void", response_model=TransferOut)
def void_hold(
    session: SessionDep,
    hold_id: DbId,
    dispatcher: DispatcherUser,
    response: Response,
    key: KeyOptional = None,
) -> TransferOut:
    done = service.void(session, hold_id, actor_id=dispatcher.id, idempotency_key=key)
    return _transfer(done, response)


@router.get("/verify", response_model=VerifyOut)
def verify_ledger(session: SessionDep, _dispatcher: DispatcherUser) -> VerifyOut:
    """Recompute every balance from the entries and report what does not add up."""
    report = verify(session)
    problems = {
        what: [[str(v) for v in row] for row in rows] for what, rows in report.problems.items()
    }
    return VerifyOut(ok=report.ok, totals=report.totals, problems=problems)
