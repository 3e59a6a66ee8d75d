"""Payments: open holds and the latest transfers, one person's accounts and statement, and
the dispatcher's money actions (capture or release a hold, refund a transfer).

Money moves only through backend.ledger. Every form carries an idempotency key made when the
page was drawn, so a double click or a re-sent form moves money once. A refused amount brings
the person's page back with what was typed and the reason beside the field; nothing moved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from backend.api_deps import SessionDep
from backend.errors import DomainError, InvalidInput
from backend.ledger import service
from backend.ledger.accounts import person_accounts
from backend.ledger.errors import InsufficientFunds
from backend.ledger.overview import latest_transfers, parties, pending_holds, refundable
from backend.ledger.statements import person_statement
from backend.ledger.verify import verify
from backend.people.service import get_person, search_people
from console.errors import refusal_text
from console.formatting import amount as money
from console.i18n import Translator
from console.money_input import AmountError, parse_amount
from console.session import Staff, StaffAction
from console.web import PREFIX, redirect, render, translator

router = APIRouter(prefix="/payments")

HOLDS_SHOWN = 100
TRANSFERS_SHOWN = 30
STATEMENT_LINES = 30
FOUND_SHOWN = 20
MAX_MEMO = 300  # ledger_transfers.memo

Typed = Annotated[str, Form(max_length=2000)]  # longer is no amount nor key: a plain 422


@dataclass(frozen=True)
class Refusal:
    """A form sent back: which one, what was typed, and why (shown beside `field`)."""

    action: str  # "capture" or "refund"
    target_id: int  # the hold or the transfer
    field: str  # "amount" or "memo"
    message: str
    amount: str = ""
    memo: str = ""


def _new_key() -> str:
    return str(uuid4())


@router.get("", response_class=HTMLResponse)
def overview(
    request: Request,
    session: SessionDep,
    _staff: Staff,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    found = search_people(session, q=q, limit=FOUND_SHOWN)[0] if q.strip() else None
    return render(
        request,
        "payments/overview.html",
        holds=pending_holds(session, limit=HOLDS_SHOWN),
        transfers=latest_transfers(session, limit=TRANSFERS_SHOWN),
        q=q,
        found=found,
        new_key=_new_key,
    )


@router.get("/check", response_class=HTMLResponse)
def check(request: Request, session: SessionDep, _staff: Staff) -> Response:
    return render(request, "payments/check.html", report=verify(session))


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request,
    session: SessionDep,
    person_id: int,
    _staff: Staff,
    before: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """`before`: the statement's cursor (an entry id); anything else shows the newest lines."""
    cursor = int(before) if before.isdigit() else None
    return _person(request, session, person_id, before=cursor)


def _person(
    request: Request,
    session: Session,
    person_id: int,
    *,
    before: int | None = None,
    refusal: Refusal | None = None,
    status_code: int = 200,
) -> Response:
    person = get_person(session, person_id)
    accounts = person_accounts(session, person_id)
    page = person_statement(session, person_id, limit=STATEMENT_LINES, before=before)
    left = refundable(session, {line.transfer_id for line in page.lines})
    # A transfer between two accounts of the same person shows twice: one refund form.
    refund_at: dict[int, int] = {}
    for line in page.lines:
        if line.transfer_id in left and line.transfer_id not in refund_at.values():
            refund_at[line.entry_id] = line.transfer_id
    return render(
        request,
        "payments/person.html",
        status_code=status_code,
        person=person,
        accounts=accounts,
        account_of={a.id: a for a in accounts},
        lines=page.lines,
        next_before=page.next_before,
        before=before,
        others=parties(session, (line.counterparty_account_id for line in page.lines)),
        refundable=left,
        refund_at=refund_at,
        holds=pending_holds(session, person_id=person_id, limit=HOLDS_SHOWN),
        refusal=refusal,
        new_key=_new_key,
    )


def _back(person_id: int | None) -> str:
    return f"{PREFIX}/payments/people/{person_id}" if person_id else f"{PREFIX}/payments"


def _person_id(value: str) -> int | None:
    """The person's page a form was sent from (a hidden field), if any."""
    return int(value) if value.isdigit() else None


def _reason(t: Translator, refused: DomainError | AmountError, unit: str) -> str:
    """The refusal in the dispatcher's words, amounts in the unit they typed."""
    if isinstance(refused, AmountError):
        return t(f"pay.bad_amount.{refused.code}")
    details = refused.details
    if "held" in details:
        return t("pay.refused.more_than_held", held=money(int(details["held"]), unit, t.language))  # type: ignore[call-overload]
    if "refundable" in details:
        left = int(details["refundable"])  # type: ignore[call-overload]
        return t("pay.refused.more_than_refundable", left=money(left, unit, t.language))
    if isinstance(refused, InsufficientFunds):
        available = int(details.get("available", 0))  # type: ignore[call-overload]
        return t("pay.refused.insufficient", available=money(available, unit, t.language))
    return refusal_text(t, refused)


def _done(t: Translator, key: str, replayed: bool, person_id: int | None) -> Response:
    return redirect(_back(person_id), flash=("ok", t("pay.already_done" if replayed else key)))


@router.post("/holds/{hold_id}/capture")
def capture(
    request: Request,
    session: SessionDep,
    hold_id: int,
    staff: StaffAction,
    idempotency_key: Typed = "",
    amount: Typed = "",
    person: Typed = "",
) -> Response:
    """All of the hold, or the amount typed (the rest is released)."""
    t = translator(request)
    back = _person_id(person)
    unit = service.get_transfer(session, hold_id).unit
    try:
        wanted = parse_amount(amount, unit) if amount.strip() else None
        with session.begin_nested():  # a refusal leaves nothing behind
            done = service.post(
                session,
                hold_id,
                amount=wanted,
                actor_id=staff.person_id,
                idempotency_key=idempotency_key,
            )
    except (AmountError, DomainError) as refused:
        why = Refusal("capture", hold_id, "amount", _reason(t, refused, unit), amount=amount)
        return _send_back(request, session, back, why, refused)
    return _done(t, "pay.captured", done.replayed, back)


@router.post("/holds/{hold_id}/release")
def release(
    request: Request,
    session: SessionDep,
    hold_id: int,
    staff: StaffAction,
    idempotency_key: Typed = "",
    person: Typed = "",
) -> Response:
    done = service.void(session, hold_id, actor_id=staff.person_id, idempotency_key=idempotency_key)
    return _done(translator(request), "pay.released", done.replayed, _person_id(person))


@router.post("/transfers/{transfer_id}/refund")
def refund(
    request: Request,
    session: SessionDep,
    transfer_id: int,
    staff: StaffAction,
    idempotency_key: Typed = "",
    amount: Typed = "",
    memo: Annotated[str, Form(max_length=2000)] = "",
    person: Typed = "",
) -> Response:
    t = translator(request)
    back = _person_id(person)
    original = service.get_transfer(session, transfer_id)
    if len(memo.strip()) > MAX_MEMO:
        why = Refusal("refund", transfer_id, "memo", t("pay.memo_too_long", max=MAX_MEMO))
        return _send_back(request, session, back, replace(why, amount=amount, memo=memo))
    try:
        wanted = parse_amount(amount, original.unit)
        with session.begin_nested():  # a refusal leaves nothing behind
            done = service.refund(
                session,
                transfer_id,
                amount=wanted,
                memo=memo.strip(),
                actor_id=staff.person_id,
                idempotency_key=idempotency_key,
            )
    except (AmountError, DomainError) as refused:
        reason = _reason(t, refused, original.unit)
        why = Refusal("refund", transfer_id, "amount", reason, amount=amount, memo=memo)
        return _send_back(request, session, back, why, refused)
    return _done(t, "pay.refunded", done.replayed, back)


def _send_back(
    request: Request,
    session: Session,
    person_id: int | None,
    refusal: Refusal,
    refused: DomainError | AmountError | None = None,
) -> Response:
    """The person's page again, with the form as it was typed and the reason beside it (or,
    from a page without that form, the reason as a message on the page it came from)."""
    if person_id is None:
        if isinstance(refused, DomainError):
            raise refused
        raise InvalidInput(refusal.message)
    status = refused.status_code if isinstance(refused, DomainError) else 422
    return _person(request, session, person_id, refusal=refusal, status_code=status)
