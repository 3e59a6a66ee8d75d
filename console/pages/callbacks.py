"""Call-backs owed to callers the hotline could not put through to a person: shown first on
the conversations page, most overdue first; "Rappeler" rings the person (an outbox call that,
picked up, is put through to the dispatcher's phone); "Fait" closes it with a note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api_deps import SessionDep
from backend.callbacks.service import call_back, close, fingerprint, open_tasks
from backend.db import utcnow
from backend.people.models import Person
from console.i18n import Translator
from console.session import StaffAction
from console.web import PREFIX, redirect, render_fragment, translator

# Its own page (listed in console/app.py PAGES), shown inside the conversations page.
router = APIRouter(prefix="/conversations/callbacks")
BACK = f"{PREFIX}/conversations"


def callbacks_version(session: Session) -> object:
    return fingerprint(session)


def callbacks_section(session: Session, t: Translator, csrf: str) -> str:
    tasks = open_tasks(session)
    ids = {task.person_id for task in tasks if task.person_id}
    names = {
        pid: name
        for pid, name in session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(ids))
        )
    }
    return render_fragment(
        "conversations/_callbacks.html",
        t,
        tasks=tasks,
        names=names,
        csrf=csrf,
        now=utcnow(),
    )


@router.post("/{task_id}/call")
def ring(request: Request, session: SessionDep, task_id: int, staff: StaffAction) -> Response:
    t = translator(request)
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
