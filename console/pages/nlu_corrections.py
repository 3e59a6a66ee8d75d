"""What the intent model understood of each of a person's messages, shown discreetly in the
transcript, and the dispatcher's correction of it (the right intent, the right service or
none), which `coupdemain nlu train` then learns from (backend/nlu_corrections)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backend.api_deps import SessionDep
from backend.conversations.models import Conversation, ConversationMessage
from backend.errors import NotFound
from backend.nlu_corrections.models import INTENTS
from backend.nlu_corrections.service import (
    WITH_SERVICE,
    correct,
    corrections_of,
    is_free_text,
    model_reading,
)
from backend.people.models import SERVICES
from console.i18n import Translator
from console.session import StaffAction
from console.web import PREFIX, redirect, translator

# Its own page (listed in console/app.py PAGES), shown inside a conversation's transcript.
router = APIRouter(prefix="/conversations")


@dataclass(frozen=True)
class NluLine:
    """One message's line: what the model said, the correction if any, what the form selects."""

    understood: str  # "Demande de l'aide · Courses (82 %)", or that nothing was stored
    corrected: str | None
    intent: str  # preselected in the form
    service: str  # preselected, "" for none


def _said(t: Translator, intent: str | None, service: str | None) -> str:
    if intent is None:
        return t("nlu.not_read")
    label = t(f"intents.{intent}") if t.has(f"intents.{intent}") else intent
    if service:
        return f"{label} · {t(f'services.{service}') if t.has(f'services.{service}') else service}"
    return f"{label} · {t('nlu.no_service')}" if intent in WITH_SERVICE else label


def nlu_lines(
    session: Session, messages: Sequence[ConversationMessage], t: Translator
) -> dict[int, NluLine]:
    """The lines for a person's free-text messages, by message id."""
    words = [m for m in messages if is_free_text(m)]
    corrections = corrections_of(session, (m.id for m in words))
    lines: dict[int, NluLine] = {}
    for message in words:
        reading = model_reading(message)
        understood = _said(t, *((reading.intent, reading.service) if reading else (None, None)))
        if reading and reading.intent and reading.confidence is not None:
            understood += f" ({t('nlu.confidence', percent=round(reading.confidence * 100))})"
        fixed = corrections.get(message.id)
        if fixed is not None:
            intent, service = fixed.intent, fixed.service or ""
        else:
            intent = reading.intent if reading and reading.intent in INTENTS else "out_of_scope"
            service = (reading.service if reading else None) or ""
        lines[message.id] = NluLine(
            understood=understood,
            corrected=_said(t, fixed.intent, fixed.service) if fixed else None,
            intent=intent,
            service=service if service in SERVICES else "",
        )
    return lines


def choices(t: Translator) -> dict[str, list[tuple[str, str]]]:
    """The form's options, labelled in the page's language, in the taxonomy's order."""
    return {
        "intents": [(i, t(f"intents.{i}")) for i in INTENTS],
        "services": [("", t("nlu.no_service")), *((s, t(f"services.{s}")) for s in SERVICES)],
    }


@router.post("/{conversation_id}/messages/{message_id}/nlu-correction")
def save(
    request: Request,
    session: SessionDep,
    conversation_id: int,
    message_id: int,
    staff: StaffAction,
    intent: Annotated[str, Form(max_length=40)] = "",
    service: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    correct(
        session,
        conversation_id,
        message_id,
        intent=intent,
        service=service,  # correct() reads "" (the form's "none") as no service
        dispatcher_id=staff.person_id,
        language=conversation.language,
    )
    here = f"{PREFIX}/conversations/{conversation_id}"
    return redirect(f"{here}#nlu-{message_id}", flash=("ok", translator(request)("nlu.saved")))


def transcript_context(
    session: Session, messages: Sequence[ConversationMessage], t: Translator, csrf: str
) -> dict[str, object]:
    """What conversations/_transcript.html needs to show the lines (the form only with a
    CSRF token: a fragment rendered without one shows what was understood, no form)."""
    return {"nlu": nlu_lines(session, messages, t), "nlu_choices": choices(t), "nlu_csrf": csrf}
