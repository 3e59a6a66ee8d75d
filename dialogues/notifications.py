"""Turning an outbox row into words and buttons in the person's language.

The backend writes structured payloads (ids, names, times); the words live in the prompt
catalogue, so a French helper and an English requester each read their own language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.db import utcnow
from backend.requests.redaction import mask_details
from dialogues.messages import Choice, Expect, Outgoing
from dialogues.prompts import Prompts, catalogue
from dialogues.wording import say_euros, say_window

# Details longer than this (a request typed into the API) are cut at a word in messages: a
# Telegram message holds 4096 characters. Requests made in a chat or a call are shorter.
DETAILS_SAID = 1000


def _when(payload: dict[str, Any], language: str) -> str:
    """Said relative to the moment the message goes out ("demain matin")."""
    start, end = payload.get("window_start"), payload.get("window_end")
    if not start:
        return Prompts(language).say("when_asap")
    return say_window(
        datetime.fromisoformat(start),
        datetime.fromisoformat(end) if end else None,
        utcnow(),
        language,
    )


def _where(payload: dict[str, Any], language: str) -> str:
    km, area = payload.get("distance_km"), payload.get("neighbourhood") or ""
    if km is None:
        return area
    distance = f"{km:.1f}".replace(".", ",") if language == "fr" else f"{km:.1f}"
    said = f"à {distance} km" if language == "fr" else f"{distance} km away"
    return f"{said} ({area})" if area else said


def _values(payload: dict[str, Any], language: str) -> dict[str, Any]:
    p = Prompts(language)
    values = {k: v for k, v in payload.items() if isinstance(v, str | int | float)}
    values.setdefault("id", payload.get("request_id", ""))
    values.setdefault("reason", "")
    if "service" in payload:
        values["service"] = p.service(payload["service"])
    values["when"] = _when(payload, language)
    values["details"] = _details(payload, language)
    values["where"] = _where(payload, language)
    # The backend's field names, as the catalogue's placeholders call them.
    for placeholder, field in (
        ("helper", "helper_first_name"),
        ("requester", "requester_name"),
        ("phone", "requester_phone"),
        ("word", "safety_word"),
    ):
        if payload.get(field) is not None:
            values[placeholder] = payload[field]
    code = payload.get("code")
    if isinstance(code, str):
        # A code read on the phone: one digit at a time, with a pause between them.
        values["code_spoken"] = ", ".join(code)
    pay_mode = payload.get("pay_mode")
    if pay_mode == "cash" and payload.get("price_cents"):
        values["pay"] = p.say(
            "readback_pay_cash", price=say_euros(int(payload["price_cents"]), language)
        )
    elif pay_mode == "time_credits":
        values["pay"] = p.say("readback_pay_time_credits")
    else:
        values["pay"] = p.say("readback_pay_volunteer")
    for name in ("helper", "requester"):
        person = values.get(name)
        if isinstance(person, str) and person.split():
            values[name] = person.split()[0]  # the first name
    return values


def _details(payload: dict[str, Any], language: str) -> str:
    """ "Précision : « ... ». ", or nothing when the request has no details."""
    details = " ".join(str(payload.get("details") or "").split())
    if not details:
        return ""
    if len(details) > DETAILS_SAID:
        details = details[:DETAILS_SAID].rsplit(" ", 1)[0] + "…"
    return Prompts(language).say("notify.details", details=details) + " "


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render_notification(kind: str, payload: dict[str, Any], language: str) -> list[Outgoing]:
    language = language if language in ("fr", "en") else "fr"
    texts = catalogue(language)
    if kind == "offer_withdrawn":
        kind = f"offer_withdrawn_{payload.get('reason', 'taken')}"
    if kind == "offer" and payload.get("details"):
        # Masked when the offer was written; again here for rows written before that was so.
        payload = payload | {"details": mask_details(str(payload["details"]), language)}
    template = texts.get(f"notify.{kind}")
    if template is None:
        return [Outgoing(text=str(payload.get("text") or kind))]
    text = template.format_map(_Blank(_values(payload, language)))
    p = Prompts(language)
    choices: tuple[Choice, ...] = ()
    expect = Expect.nothing
    if kind == "offer" and payload.get("offer_id"):
        offer = payload["offer_id"]
        choices = (
            Choice(f"offer:accept:{offer}", p.say("notify.offer_accept"), "1"),
            Choice(f"offer:decline:{offer}", p.say("notify.offer_decline"), "2"),
        )
        expect = Expect.choice
    elif kind == "assigned_helper" and payload.get("request_id"):
        choices = (Choice(f"job:done:{payload['request_id']}", p.say("notify.job_done_button")),)
        expect = Expect.choice
    elif kind == "rate_request" and payload.get("request_id"):
        choices = tuple(
            Choice(f"rate:{payload['request_id']}:{n}", "★" * n, str(n)) for n in range(1, 6)
        )
        expect = Expect.choice
    return [Outgoing(text=text, choices=choices, expect=expect)]
