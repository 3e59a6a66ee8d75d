"""People: find anyone by name or phone, read their file, verify a helper, suspend and
reinstate, and verify an address by postcard or by two verified neighbours vouching."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from backend.api_deps import SessionDep
from backend.errors import DomainError, InvalidInput
from backend.people.history import person_history
from backend.people.models import PersonStatus, Role
from backend.people.phone_preferences import get_phone_preferences, reset_phone_preferences
from backend.people.phones import normalise_phone, readable_phone
from backend.people.postcards import IssuedCode, issue_postcard_code, pending_postcard
from backend.people.service import (
    get_person,
    reinstate_person,
    search_people,
    suspend_person,
    verify_helper_profile,
)
from backend.trust.vouches import VOUCHES_TO_VERIFY, eligible_vouchers, vouch, vouches_for
from console.errors import refusal_reason
from console.session import Staff, StaffAction
from console.web import PREFIX, redirect, render, translator

router = APIRouter(prefix="/people")

PAGE_SIZE = 50
MAX_QUERY = 100
MAX_NOTE = 500


@router.get("", response_class=HTMLResponse)
def list_page(
    request: Request,
    session: SessionDep,
    _staff: Staff,
    q: str = "",
    role: str = "",
    status: str = "",
    page: str = "1",
) -> Response:
    # Lenient on purpose: a hand-edited address shows a page, not a validation error.
    q = q.strip()[:MAX_QUERY]
    role = role if role in set(Role) else ""
    status = status if status in set(PersonStatus) else ""
    number = max(int(page), 1) if page.isdigit() else 1
    people, total = search_people(
        session,
        q=q,
        role=role or None,
        status=status or None,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
        newest_first=True,  # the people a dispatcher is asked about are mostly the new ones
    )
    filters = {k: v for k, v in (("q", q), ("role", role), ("status", status)) if v}
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render(
        request,
        "people/list.html",
        people=people,
        total=total,
        q=q,
        role=role,
        status=status,
        roles=list(Role),
        statuses=list(PersonStatus),
        searched_phone=_typed_phone(q),
        page=number,
        pages=pages,
        prev_url=_page_url(filters, number - 1) if number > 1 else None,
        next_url=_page_url(filters, number + 1) if number < pages else None,
        phone=readable_phone,
    )


def _typed_phone(q: str) -> str | None:
    """The number a search for digits looks for, as the dispatcher will read it."""
    if not q or any(c.isalpha() for c in q):
        return None
    with suppress(InvalidInput):
        return readable_phone(normalise_phone(q))
    return None


def _page_url(filters: dict[str, str], number: int) -> str:
    return f"{PREFIX}/people?{urlencode({**filters, 'page': number})}"


@router.get("/{person_id}", response_class=HTMLResponse)
def detail_page(request: Request, session: SessionDep, person_id: int, _staff: Staff) -> Response:
    return _detail(request, session, person_id)


@router.get("/{person_id}/postcard")
@router.get("/{person_id}/vouches")
def back_to_file(request: Request, person_id: int, _staff: Staff) -> Response:
    """Where a page rendered by a form lands when reloaded or switched to another language."""
    query = request.url.query
    return redirect(_here(person_id) + (f"?{query}" if query else ""))


def _detail(
    request: Request,
    session: Session,
    person_id: int,
    *,
    issued: IssuedCode | None = None,
    vouch_error: str = "",
    vouch_note: str = "",
    vouch_voucher: str = "",
    status_code: int = 200,
) -> Response:
    person = get_person(session, person_id)
    home = person.primary_address
    given = vouches_for(session, person_id)
    return render(
        request,
        "people/detail.html",
        status_code=status_code,
        person=person,
        home=home,
        addresses=sorted(person.addresses, key=lambda a: (not a.is_primary, -a.id)),
        helper=person.helper_profile,
        issued=issued,
        pending=None if issued else pending_postcard(session, person_id),
        vouches=given,
        vouches_here=sum(1 for v in given if v.current_address),
        vouches_needed=VOUCHES_TO_VERIFY,
        eligible=eligible_vouchers(session, person_id) if home and not home.verified_at else [],
        vouch_error=vouch_error,
        vouch_note=vouch_note,
        vouch_voucher=vouch_voucher,
        max_note=MAX_NOTE,
        history=person_history(session, person_id),
        phone_prefs=get_phone_preferences(session, person_id),
        phone=readable_phone,
    )


def _here(person_id: int) -> str:
    return f"{PREFIX}/people/{person_id}"


@router.post("/{person_id}/verify-helper")
def verify_helper(
    request: Request, session: SessionDep, person_id: int, _staff: StaffAction
) -> Response:
    verify_helper_profile(session, person_id)
    return redirect(
        _here(person_id), flash=("ok", translator(request)("people.done.helper_verified"))
    )


@router.post("/{person_id}/suspend")
def suspend(request: Request, session: SessionDep, person_id: int, staff: StaffAction) -> Response:
    suspend_person(session, person_id, actor_id=staff.person_id)
    return redirect(_here(person_id), flash=("ok", translator(request)("people.done.suspended")))


@router.post("/{person_id}/reinstate")
def reinstate(
    request: Request, session: SessionDep, person_id: int, _staff: StaffAction
) -> Response:
    reinstate_person(session, person_id)
    return redirect(_here(person_id), flash=("ok", translator(request)("people.done.reinstated")))


@router.post("/{person_id}/phone-preferences/reset")
def reset_phone(
    request: Request, session: SessionDep, person_id: int, _staff: StaffAction
) -> Response:
    """What the hotline learned helps this caller is forgotten: speech first and the usual
    pace from their next call, learned again from there."""
    reset_phone_preferences(session, person_id)
    return redirect(_here(person_id), flash=("ok", translator(request)("people.done.phone_reset")))


@router.post("/{person_id}/postcard")
def postcard(request: Request, session: SessionDep, person_id: int, staff: StaffAction) -> Response:
    """The plain code exists only in this response: shown once, never in a URL or a log."""
    issued = issue_postcard_code(session, person_id, issued_by=staff.person_id)
    response = _detail(request, session, person_id, issued=issued, status_code=201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/{person_id}/vouches")
def record_vouch(
    request: Request,
    session: SessionDep,
    person_id: int,
    staff: StaffAction,
    voucher_id: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    t = translator(request)
    error, status_code = "", 422
    if not voucher_id.isdigit():
        error = t("people.vouch.choose")
    elif len(note) > MAX_NOTE:
        error = t("people.vouch.note_too_long", max=MAX_NOTE)
    else:
        try:
            vouch(session, person_id, int(voucher_id), recorded_by=staff.person_id, note=note)
        except DomainError as refused:
            # Refused before anything was written: the page comes back with the note kept.
            error, status_code = refusal_reason(t, refused), refused.status_code
    if error:
        return _detail(
            request,
            session,
            person_id,
            vouch_error=error,
            vouch_note=note,
            vouch_voucher=voucher_id,
            status_code=status_code,
        )
    home = get_person(session, person_id).primary_address
    done = "people.done.address_verified" if home and home.verified_at else "people.done.vouched"
    return redirect(_here(person_id), flash=("ok", t(done)))
