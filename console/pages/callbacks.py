"""Call-backs owed to people nobody could answer: shown first on the conversations page,
emergencies first, then most overdue first; "Rappeler" rings the person (an outbox call that,
picked up, is put through to the dispatcher's phone) when the line can place it, otherwise the
number to dial by hand and why; a chat with no number is answered in its conversation;
"Fait" closes it with a note. Below, the call-backs done in the last 24 hours: by whom, when,
how (by hand, a written answer in the chat, a call-back picked up)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api_deps import SessionDep
from backend.callbacks.service import call_back, close, fingerprint, open_tasks, recently_done
from backend.conversations.models import Conversation
from backend.db import utcnow
from backend.errors import Conflict
from backend.people.models import Person
from console.i18n import Translator
from console.session import StaffAction
from console.web import PREFIX, redirect, render_fragment, translator

# Its own page (listed in console/app.py PAGES), shown inside the conversations page.
router = APIRouter(prefix="/conversations/callbacks")
BACK = f"{PREFIX}/conversations"
DONE_WINDOW = timedelta(hours=24)  # the done list: who answered whom, and how, today


def callbacks_version(session: Session) -> object:
    return fingerprint(session)


def ring_blocked(request: Request) -> str | None:
    """Why "Rappeler" cannot ring anyone on this installation (console/app.py), or None."""
    blocked: str | None = getattr(request.app.state, "console_callbacks_blocked", "no_twilio")
    return blocked


def callbacks_section(
    session: Session, t: Translator, csrf: str, blocked: str | None = "no_twilio"
) -> str:
    """`blocked`: why no call can be placed (ring_blocked); the number is then shown to dial
    by hand, with the reason, instead of a button that could not work."""
    now = utcnow()
    tasks = open_tasks(session)
    done = recently_done(session, since=now - DONE_WINDOW)
    ids = {pid for task in [*tasks, *done] for pid in (task.person_id, task.done_by_id) if pid}
    names = {
        pid: name
        for pid, name in session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(ids))
        )
    }
    conversations = {task.conversation_id for task in tasks if task.conversation_id}
    channels = {
        cid: channel
        for cid, channel in session.execute(
            select(Conversation.id, Conversation.channel).where(Conversation.id.in_(conversations))
        )
    }
    owed = render_fragment(
        "conversations/_callbacks.html",
        t,
        tasks=tasks,
        names=names,
        channels=channels,
        csrf=csrf,
        now=now,
        blocked=blocked,
    )
    return owed + render_fragment("conversations/_callbacks_done.html", t, done=done, names=names)


@router.post("/{task_id}/call")
def ring(request: Request, session: SessionDep, task_id: int, staff: StaffAction) -> Response:
    t = translator(request)
    blocked = ring_blocked(request)
    if blocked is not None:  # a form posted by hand, or from a page older than the settings
        raise Conflict(t(f"callbacks.blocked.{blocked}"))
    call_back(session, task_id, staff.person_id, utcnow(), language=t.language)
    return redirect(BACK, flash=("ok", t("callbacks.called")))


@router.post("/{task_id}/done")
def done(
    request: Request,
    session: SessionDep,
    task_id: int,
    staff: StaffAction,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    close(session, task_id, staff.person_id, utcnow(), note)
    return redirect(BACK, flash=("ok", translator(request)("callbacks.closed")))
