"""Live conversations on every channel, most urgent first; a transcript; take over, write,
hand back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from backend.api_deps import SessionDep
from backend.conversations.models import Conversation, ConversationMessage
from backend.conversations.service import (
    MAX_DISPATCHER_TEXT,
    by_urgency,
    clear_emergency,
    deliveries,
    dispatcher_says,
    hand_back,
    live_fingerprint,
    summary,
    take_over,
    transcript,
)
from backend.db import utcnow
from backend.errors import Conflict, InvalidInput, NotFound
from console.i18n import Translator
from console.live import stream
from console.pages import callbacks, nlu_corrections
from console.session import Staff, StaffAction
from console.takeovers import TakeOver, banner, takeovers
from console.web import PREFIX, redirect, render, render_fragment, translator
from console.wording import Line, step_label, transcript_line

router = APIRouter(prefix="/conversations")

LIVE_WINDOW = timedelta(hours=24)  # older conversations show only while flagged or taken over
LIST_LENGTH = 100


def live_version(session: Session) -> object:
    return (
        live_fingerprint(session, since=utcnow() - LIVE_WINDOW),
        callbacks.callbacks_version(session),
    )


def live_rows(
    session: Session, t: Translator, csrf: str = "", blocked: str | None = "no_twilio"
) -> str:
    """The call-backs owed first, then the conversations."""
    items, total = by_urgency(session, limit=LIST_LENGTH, since=utcnow() - LIVE_WINDOW)
    owed = callbacks.callbacks_section(session, t, csrf, blocked)
    return owed + render_fragment(
        "conversations/_rows.html",
        t,
        items=items,
        total=total,
        **_words(t, takeovers(session, [i.conversation for i in items])),
    )


def _words(t: Translator, taken: dict[int, TakeOver]) -> dict[str, Callable[..., str | Line]]:
    """What the templates call to word the engine's codes (console/wording.py)."""
    return {
        "said": lambda text: transcript_line(text or "", t),
        "step_of": lambda c, labelled=False: step_label(c.flow, c.step, t, labelled=labelled),
        "held_by": lambda c: banner(taken[c.id], t) if c.id in taken else "",
    }


@dataclass(frozen=True)
class Shown:
    """A transcript message and how it reads."""

    message: ConversationMessage
    line: Line


def shown(messages: list[ConversationMessage], t: Translator) -> list[Shown]:
    """Each message worded; a choice is named by the labels of the buttons the bot offered
    just before (a person put through to 'Anne', say), when no code of ours names it."""
    offered: dict[str, str] = {}
    lines = []
    for m in messages:
        if m.author == "bot":
            offered = {
                str(c.get("id")): str(c.get("label"))
                for c in (m.payload or {}).get("choices", [])
                if isinstance(c, dict)
            } or offered
        line = transcript_line(m.text, t, offered) if m.author in ("person", "system") else None
        lines.append(Shown(m, line or Line("said", m.text)))
    return lines


def _conversation(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


def live_transcript(session: Session, conversation_id: int, t: Translator, csrf: str = "") -> str:
    conversation = _conversation(session, conversation_id)
    messages = transcript(session, conversation_id)
    return render_fragment(
        "conversations/_transcript.html",
        t,
        item=summary(session, conversation),
        lines=shown(messages, t),
        deliveries=deliveries(session, messages),
        **nlu_corrections.transcript_context(session, messages, t, csrf),
        **_words(t, takeovers(session, [conversation])),
    )


@router.get("", response_class=HTMLResponse)
def list_page(request: Request, session: SessionDep, staff: Staff) -> Response:
    rows = live_rows(session, translator(request), staff.csrf, callbacks.ring_blocked(request))
    return render(request, "conversations/list.html", rows=rows)


@router.get("/stream")
def list_stream(request: Request, staff: Staff) -> StreamingResponse:
    t, csrf, blocked = translator(request), staff.csrf, callbacks.ring_blocked(request)
    return stream(
        request, lambda session: live_rows(session, t, csrf, blocked), version=live_version
    )


@router.get("/{conversation_id}", response_class=HTMLResponse)
def detail_page(
    request: Request, session: SessionDep, conversation_id: int, staff: Staff
) -> Response:
    return _detail(request, session, conversation_id, staff)


def _detail(
    request: Request,
    session: Session,
    conversation_id: int,
    staff: Staff,
    *,
    draft: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    t = translator(request)
    conversation = _conversation(session, conversation_id)
    taken = takeovers(session, [conversation]).get(conversation.id)
    return render(
        request,
        "conversations/detail.html",
        status_code=status_code,
        conversation=conversation,
        item=summary(session, conversation),
        mine=conversation.handled_by == "dispatcher"
        and conversation.dispatcher_id == staff.person_id,
        transcript_html=live_transcript(session, conversation_id, t, staff.csrf),
        held=banner(taken, t) if taken else "",
        max_text=MAX_DISPATCHER_TEXT,
        draft=draft,
        error=error,
    )


@router.get("/{conversation_id}/stream")
def detail_stream(request: Request, conversation_id: int, staff: Staff) -> StreamingResponse:
    t, csrf = translator(request), staff.csrf
    return stream(request, lambda session: live_transcript(session, conversation_id, t, csrf))


def _here(conversation_id: int) -> str:
    return f"{PREFIX}/conversations/{conversation_id}"


@router.post("/{conversation_id}/take-over")
def take(
    request: Request, session: SessionDep, conversation_id: int, staff: StaffAction
) -> Response:
    take_over(session, conversation_id, staff.person_id)
    return redirect(_here(conversation_id), flash=("ok", translator(request)("conv.taken")))


@router.post("/{conversation_id}/messages")
def write(
    request: Request,
    session: SessionDep,
    conversation_id: int,
    staff: StaffAction,
    text: Annotated[str, Form()] = "",
) -> Response:
    try:
        dispatcher_says(session, conversation_id, staff.person_id, text)
    except (InvalidInput, Conflict) as refused:
        # Refused before anything was written: the page comes back with the text kept.
        t = translator(request)
        return _detail(
            request,
            session,
            conversation_id,
            staff,
            draft=text,
            error=f"{t('errors.refused')} {refused.message}",
            status_code=refused.status_code,
        )
    return redirect(_here(conversation_id), flash=("ok", translator(request)("conv.sent")))


@router.post("/{conversation_id}/hand-back")
def give_back(
    request: Request, session: SessionDep, conversation_id: int, staff: StaffAction
) -> Response:
    hand_back(session, conversation_id, staff.person_id)
    return redirect(_here(conversation_id), flash=("ok", translator(request)("conv.handed_back")))


@router.post("/{conversation_id}/clear-emergency")
def clear_alert(
    request: Request, session: SessionDep, conversation_id: int, staff: StaffAction
) -> Response:
    clear_emergency(session, conversation_id, staff.person_id)
    t = translator(request)
    return redirect(_here(conversation_id), flash=("ok", t("conv.emergency_cleared")))
