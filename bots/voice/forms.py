"""Twilio's webhook form fields -> the engine's `Incoming`.

Calls: `CallSid`, `From`, `To`, `Direction` ("inbound", "outbound-api"), and after a
`<Gather>` `SpeechResult` + `Confidence` or `Digits`; nothing at all is a silence. The turn
number travels in the action URL's query string, so a retried request carries the same
`external_id` ("voice:<CallSid>:<turn>") and the engine answers it with the stored replies.
SMS: `MessageSid`, `From`, `Body`; "OUI 123" / "NON 123" answer offer 123.

The Sid is what makes a retried webhook the same turn: a form without one is refused
(`BadRequest`, a 400 naming the field) rather than sharing one conversation turn or one
stored message with every other form that lacks it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from bots.voice.signature import BadRequest
from dialogues.messages import Incoming

E164 = re.compile(r"\+[1-9]\d{5,14}")
_OFFER_ANSWER = re.compile(
    r"^\s*(oui|ok|yes|non|no)\s*[,.:]?\s*(?:n°|no\.?|#)?\s*(\d{1,12})\s*[.!]?\s*$"
)
_KEY = re.compile(r"^\s*([0-9#*])\s*$")


def required(form: dict[str, str], name: str, *fallbacks: str) -> str:
    """The field `name` (or an older name Twilio also sends), or BadRequest naming it."""
    for key in (name, *fallbacks):
        value = (form.get(key) or "").strip()
        if value:
            return value
    raise BadRequest(f"the form has no {name}: every Twilio webhook carries one")


def caller(form: dict[str, str]) -> str:
    """The person's side of the call: `From` when they rang us, `To` when we rang them.
    A withheld number gets an address of its own call (nobody to recognise)."""
    outbound = form.get("Direction", "inbound").startswith("outbound")
    number = (form.get("To") if outbound else form.get("From")) or ""
    if E164.fullmatch(number):
        return number
    return f"anonymous:{form.get('CallSid', '')}"[:64]


def call_event(form: dict[str, str], event: str, *, turn: int | str) -> Incoming:
    """A call's own event for the engine: `call:start`, `call:answered:<id>`, ..."""
    call_sid = required(form, "CallSid")
    return Incoming(
        channel="voice",
        address=caller(form),
        choice=event,
        external_id=f"voice:{call_sid}:{turn}"[:80],
    )


def call_answer(form: dict[str, str], *, turn: int) -> Incoming:
    """What the caller said or keyed after a question; neither is a silence."""
    call_sid = required(form, "CallSid")
    speech = (form.get("SpeechResult") or "").strip()
    digits = (form.get("Digits") or "").strip()
    confidence = _float(form.get("Confidence"))
    return Incoming(
        channel="voice",
        address=caller(form),
        text=speech or None,
        digits=digits or None,
        speech_confidence=confidence if speech else None,
        silence=not speech and not digits,
        external_id=f"voice:{call_sid}:{turn}"[:80],
    )


def sms_message(form: dict[str, str]) -> Incoming:
    message_sid = required(form, "MessageSid", "SmsSid")
    body = (form.get("Body") or "").strip()
    message = Incoming(
        channel="sms",
        address=form.get("From") or "",
        external_id=f"sms:{message_sid}"[:80],
    )
    answer = _OFFER_ANSWER.match(_fold(body))
    if answer:
        verb = "accept" if answer.group(1) in ("oui", "ok", "yes") else "decline"
        return replace(message, choice=f"offer:{verb}:{int(answer.group(2))}")
    key = _KEY.match(body)
    if key:
        return replace(message, digits=key.group(1))
    return replace(message, text=body)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
