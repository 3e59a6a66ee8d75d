"""Twilio's webhooks: calls in and out, their status, and SMS. Each answers TwiML.

    POST /voice/incoming                 someone rings the hotline (turn 0)
    POST /voice/turn?turn=N[&idle=1]     the answer to the question of turn N-1
    POST /voice/outbound?outbox=ID       a call we placed is picked up (AnsweredBy: a machine?)
    POST /voice/status[?outbox=ID]       how a call ended (status callback)
    POST /voice/dialed?turn=N&to=...     a transfer ended (the <Dial> action); unanswered,
                                         a call-back is owed and the caller told when
    POST /sms/incoming                   an SMS to the hotline number

Every request's X-Twilio-Signature is checked first (403 and nothing done otherwise). Each
call turn is one engine turn with external_id "voice:<CallSid>:<turn>", the turn number being
in the URL Twilio requests: a retried request gets the same TwiML and changes nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response

from bots.voice.forms import call_answer, call_event, sms_message
from bots.voice.render import CallUrls, Transfers, render_call, render_goodbye
from bots.voice.signature import BadRequest, TwilioSignature
from bots.voice.sms import sms_reply
from dialogues.messages import Incoming, Outgoing, TurnResult
from dialogues.prompts import Prompts
from dialogues.protocols import ConversationEngine

log = logging.getLogger(__name__)

TWIML = "application/xml"
FINAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")
# Answering machine detection's verdict on a call we placed (bots/voice/sender.py); anything
# else ("human", "unknown", none) is a person.
ANSWERED_BY = {
    "machine_start": "machine",
    "machine_end_beep": "machine",
    "machine_end_silence": "machine",
    "machine_end_other": "machine",
    "fax": "fax",
}
MAX_TURN = 10_000  # a call longer than this is not a call
_LANG = re.compile(r"^(fr|en)$")
REFUSALS: dict[int | str, dict[str, object]] = {
    400: {"description": "not a form Twilio sends: too large, not UTF-8, no CallSid/MessageSid"},
    403: {"description": "bad or missing X-Twilio-Signature; nothing was done"},
}


def voice_router(
    engine: ConversationEngine,
    signature: TwilioSignature,
    *,
    public_url: str,
    transfers: Transfers,
    default_language: str = "fr",
    concurrent_turns: int | None = None,
) -> APIRouter:
    """The hotline's routes. `public_url` is where Twilio reaches us (PUBLIC_URL).

    `concurrent_turns` caps the engine turns this process runs at once (None: no cap). On
    SQLite, 1: there is one writer at a time anyway, and turns waiting here are served in
    order, where turns waiting on SQLite's lock poll it with sleeps of up to 100 ms.
    """
    public = public_url.rstrip("/")
    router = APIRouter(tags=["voice"])
    slots = threading.BoundedSemaphore(concurrent_turns) if concurrent_turns else None

    def handle(incoming: Incoming) -> TurnResult:
        if slots is None:
            return engine.handle(incoming)
        with slots:
            return engine.handle(incoming)

    def urls(turn: int, language: str, pace: str = "normal") -> CallUrls:
        """Where the answers to turn `turn`'s TwiML go (they are turn `turn + 1`). The goodbyes
        said without an engine turn (after a silence, a transfer) keep the caller's pace."""
        nxt = f"{public}/voice/turn?turn={turn + 1}"
        said = f"lang={language}" + ("&pace=slow" if pace == "slow" else "")
        return CallUrls(
            answer=nxt,
            idle=f"{nxt}&idle=1&{said}",
            dialed=f"{public}/voice/dialed?turn={turn}&{said}",
        )

    async def turn_twiml(incoming: Incoming, turn: int) -> str:
        try:
            result = await asyncio.to_thread(handle, incoming)
        except Exception:
            # The caller must never hear an application error: a human takes the call.
            log.exception("voice turn %s failed", incoming.external_id)
            result = TurnResult(
                replies=[Outgoing(Prompts(default_language).say("handoff"), handoff=True)],
                language=default_language,
            )
        return render_call(
            result.replies,
            result.language,
            urls=urls(turn, result.language, result.pace),
            transfers=transfers,
            silent=result.silent,
            pace=result.pace,
            keypad_first=result.keypad_first,
        )

    def signed(
        handler: Callable[[Request, dict[str, str]], Awaitable[str]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                form = await signature.form(request)
            except BadRequest as exc:
                return Response(str(exc), status_code=400, media_type="text/plain")
            if form is None:
                log.warning("refused %s: bad or missing X-Twilio-Signature", request.url.path)
                return Response("forbidden", status_code=403, media_type="text/plain")
            try:
                return Response(await handler(request, form), media_type=TWIML)
            except BadRequest as exc:
                return Response(str(exc), status_code=400, media_type="text/plain")

        return endpoint

    async def incoming_call(request: Request, form: dict[str, str]) -> str:
        return await turn_twiml(call_event(form, "call:start", turn=0), 0)

    async def answer(request: Request, form: dict[str, str]) -> str:
        turn = _int(request.query_params.get("turn"), 1, MAX_TURN)
        incoming = call_answer(form, turn=turn)
        if request.query_params.get("idle") == "1" and incoming.silence:
            # Silence after "anything else?": the call is over, nothing to record.
            return render_goodbye(_language(request, default_language), pace=_pace(request))
        return await turn_twiml(incoming, turn)

    async def outbound(request: Request, form: dict[str, str]) -> str:
        outbox_id = _int(request.query_params.get("outbox"), 1, 2**62)
        answered = ANSWERED_BY.get(form.get("AnsweredBy", ""), "answered")
        return await turn_twiml(call_event(form, f"call:{answered}:{outbox_id}", turn=0), 0)

    async def status(request: Request, form: dict[str, str]) -> str:
        call_status = form.get("CallStatus", "")
        if call_status in FINAL_STATUSES:
            outbox = request.query_params.get("outbox")
            event = f"call:ended:{call_status}"
            if outbox is not None:
                event += f":{_int(outbox, 1, 2**62)}"
            await asyncio.to_thread(handle, call_event(form, event, turn="end"))
        return "<?xml version='1.0' encoding='UTF-8'?><Response/>"

    async def dialed(request: Request, form: dict[str, str]) -> str:
        language = _language(request, default_language)
        if form.get("DialCallStatus") in ("completed", "answered"):
            # They talked; the call ends with the transfer. The engine notes it: a dispatcher's
            # "Rappeler" call that reached the team is its call-back done.
            if request.query_params.get("to") != "party":
                turn = _int(request.query_params.get("turn"), 0, MAX_TURN)
                reached = call_event(form, "call:connected:dispatcher", turn=f"dialed{turn}")
                await asyncio.to_thread(handle, reached)
            return render_goodbye(language, pace=_pace(request))
        # Nobody answered (no-answer, busy, failed): the engine owes a call-back and says when;
        # a turn of its own, so a retried request opens no second task.
        turn = _int(request.query_params.get("turn"), 0, MAX_TURN)
        to = "party" if request.query_params.get("to") == "party" else "dispatcher"
        status = re.sub(r"[^a-z-]", "", form.get("DialCallStatus", ""))[:20] or "unknown"
        event = call_event(form, f"call:unreached:{to}:{status}", turn=f"dialed{turn}")
        return await turn_twiml(event, turn)

    async def sms(request: Request, form: dict[str, str]) -> str:
        result = await asyncio.to_thread(handle, sms_message(form))
        if result.silent:
            return sms_reply([], result.language)
        return sms_reply(result.replies, result.language)

    for path, handler in (
        ("/voice/incoming", incoming_call),
        ("/voice/turn", answer),
        ("/voice/outbound", outbound),
        ("/voice/status", status),
        ("/voice/dialed", dialed),
        ("/sms/incoming", sms),
    ):
        router.add_api_route(
            path,
            signed(handler),
            methods=["POST"],
            summary=f"Twilio webhook {path}",
            response_class=Response,
            responses=REFUSALS,
        )
    return router


def _int(value: str | None, low: int, high: int) -> int:
    if value is None or not value.isdigit() or not low <= int(value) <= high:
        raise BadRequest(f"expected a number from {low} to {high} in the URL, got {value!r}")
    return int(value)


def _pace(request: Request) -> str:
    return "slow" if request.query_params.get("pace") == "slow" else "normal"


def _language(request: Request, default: str) -> str:
    lang = request.query_params.get("lang", "")
    return lang if _LANG.match(lang) else default
