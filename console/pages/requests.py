"""Help requests: the queues a dispatcher works through, one request's file with the helpers
who could take it and why, and the dispatcher's moves (assign, reassign, dispatch, cancel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api_deps import SessionDep
from backend.db import utcnow
from backend.dispatch.deps import PolicyDep, dispatch_config
from backend.dispatch.overview import hand_candidates, request_file
from backend.dispatch.service import (
    assign_by_hand,
    cancel_request,
    reassign_by_hand,
    start_dispatch,
)
from backend.errors import DomainError, InvalidInput
from backend.people.models import Person
from backend.requests.models import RequestStatus
from backend.requests.queues import DEFAULT_QUEUE, Queue, list_queue, queue_counts
from backend.requests.service import get_request
from console.formatting import user_content
from console.i18n import Translator
from console.live import stream
from console.session import Staff, StaffAction
from console.web import PREFIX, redirect, render, render_fragment, translator
from console.wording import event_kind, history_note, named_in

router = APIRouter(prefix="/requests")

PAGE_SIZE = 50
CANDIDATES = 10
MAX_REASON = 500  # what the request's history keeps of a note
CLOSED = (RequestStatus.done, RequestStatus.cancelled, RequestStatus.expired)


def _queue(value: str | None) -> Queue:
    try:
        return Queue(value) if value else DEFAULT_QUEUE
    except ValueError:
        return DEFAULT_QUEUE


def live_queue(session: Session, t: Translator, queue: Queue, page: int) -> str:
    """The tabs with their counts and one page of the chosen queue: what the stream resends."""
    now = utcnow()
    rows, total = list_queue(session, queue, now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_fragment(
        "requests/_queue.html",
        t,
        queues=list(Queue),
        queue=queue,
        counts=queue_counts(session, now),
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@router.get("", response_class=HTMLResponse)
def list_page(
    request: Request,
    session: SessionDep,
    _staff: Staff,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    queue = _queue(status)
    return render(
        request,
        "requests/list.html",
        queue=queue,
        page=page,
        queue_html=live_queue(session, translator(request), queue, page),
    )


@router.get("/stream")
def list_stream(
    request: Request,
    _staff: Staff,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> StreamingResponse:
    """The queue again whenever it changes: a new request, an accept, a flag, a cancel."""
    t, queue = translator(request), _queue(status)
    return stream(request, lambda session: live_queue(session, t, queue, page))


@router.get("/{request_id}", response_class=HTMLResponse)
def detail_page(request: Request, session: SessionDep, request_id: int, _staff: Staff) -> Response:
    return _detail(request, session, request_id)


def _detail(
    request: Request,
    session: Session,
    request_id: int,
    *,
    reason: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    file = request_file(session, request_id)
    candidates = hand_candidates(
        session, file.request, limit=CANDIDATES, weights=dispatch_config(request).policy.weights
    )
    t = translator(request)
    # The history's notes name helpers by id (backend/dispatch): shown by name, linked.
    named = named_in(e.note for e, _ in file.events)
    names: dict[int, str] = {
        pid: name
        for pid, name in session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(named))
        )
    }
    return render(
        request,
        "requests/detail.html",
        status_code=status_code,
        file=file,
        r=file.request,
        candidates=candidates,
        closed=file.request.status in CLOSED,
        max_reason=MAX_REASON,
        reason=reason,
        error=error,
        kind_of=lambda kind: event_kind(kind, t),
        history=lambda note: _note(history_note(note, t, names, f"{PREFIX}/people/"), note),
    )


def _note(shown: Markup, note: str | None) -> Markup:
    """A note the backend wrote, worded; one a person wrote (a cancel reason), marked theirs."""
    return user_content(note) if note and shown == escape(note) else shown


def _here(request_id: int) -> str:
    return f"{PREFIX}/requests/{request_id}"


HelperChoice = Annotated[int | None, Form()]


def _give(
    request: Request,
    session: Session,
    request_id: int,
    staff: StaffAction,
    helper_id: int | None,
    move: Callable[[Session, int, int, int, datetime], object],
    done: str,
) -> Response:
    if helper_id is None:
        raise InvalidInput("choose a helper")
    move(session, request_id, helper_id, staff.person_id, utcnow())
    return redirect(_here(request_id), flash=("ok", translator(request)(done)))


@router.post("/{request_id}/assign")
def assign(
    request: Request,
    session: SessionDep,
    request_id: int,
    staff: StaffAction,
    helper_id: HelperChoice = None,
) -> Response:
    """An open or offered request given to the chosen helper."""
    return _give(request, session, request_id, staff, helper_id, assign_by_hand, "req.assigned")


@router.post("/{request_id}/reassign")
def reassign(
    request: Request,
    session: SessionDep,
    request_id: int,
    staff: StaffAction,
    helper_id: HelperChoice = None,
) -> Response:
    """An assigned job, not started, taken from its helper and given to the chosen one."""
    return _give(request, session, request_id, staff, helper_id, reassign_by_hand, "req.reassigned")


@router.post("/{request_id}/dispatch")
def dispatch(
    request: Request, session: SessionDep, request_id: int, _staff: StaffAction, policy: PolicyDep
) -> Response:
    help_request = get_request(session, request_id)
    offers = start_dispatch(session, help_request, policy, utcnow())
    t = translator(request)
    if not offers:
        return redirect(_here(request_id), flash=("error", t("req.nobody")))
    return redirect(_here(request_id), flash=("ok", t("req.dispatched", count=len(offers))))


@router.post("/{request_id}/cancel")
def cancel(
    request: Request,
    session: SessionDep,
    request_id: int,
    staff: StaffAction,
    reason: Annotated[str, Form()] = "",
) -> Response:
    t = translator(request)
    said = reason.strip()
    try:
        if not said:
            raise InvalidInput(t("req.reason_needed"))
        if len(said) > MAX_REASON:
            raise InvalidInput(t("req.reason_too_long", max=MAX_REASON))
        cancel_request(session, request_id, staff.person_id, said)
    except DomainError as refused:
        # Refused before anything was written: the page comes back with the reason kept.
        return _detail(
            request,
            session,
            request_id,
            reason=reason,
            error=f"{t('errors.refused')} {refused.message}",
            status_code=refused.status_code,
        )
    return redirect(_here(request_id), flash=("ok", t("req.cancelled")))
