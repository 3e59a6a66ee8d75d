"""The outbox's senders for the channels "sms" and "voice_call", through Twilio's REST API.

- `SmsSender`: one outbox row -> one SMS (Messages.json): the notification's words from the
  catalogue, its buttons as text answers ("Répondez OUI 123 ou NON 123").
- `CallSender`: one outbox row -> one call (Calls.json) whose TwiML URL is
  `/voice/outbound?outbox=<id>`: when it is picked up, the engine reads the message aloud
  (an offer is answered 1 / 2); its status callback `/voice/status?outbox=<id>` says whether
  anyone answered. Twilio tells a person from an answering machine first (MachineDetection).

A `rate_request` is not sent as such on either channel: the rating is asked during the care
call after the job, so each sender leaves that call's timer instead (backend.calls).
Masked numbers: the requester's phone in a helper's details becomes the hotline's number.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import phonenumbers
import requests
from sqlalchemy.orm import Session, sessionmaker
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from backend.calls.follow_up import schedule_follow_up
from backend.db import transaction, utcnow
from backend.outbox.models import OutboxMessage
from backend.outbox.service import NoLongerCurrent, PermanentSendError, TransientSendError
from bots.voice.sms import sms_text
from dialogues.flows.answering_machine import no_longer_current
from dialogues.prompts import Prompts
from dialogues.protocols import NotificationRenderer

log = logging.getLogger(__name__)

E164 = re.compile(r"\+[1-9]\d{5,14}")
RING_SECONDS = 30  # how long a call we place rings before "no-answer"
# Answering machine detection (Twilio AMD): synchronous, and to the end of the greeting, so
# the call's first webhook comes after the beep with `AnsweredBy` (dialogues/flows/
# answering_machine.py leaves a short message there and tries again later). Twilio's default
# detection time; past it `AnsweredBy` is "unknown", taken as a person.
MACHINE_DETECTION = "DetectMessageEnd"
MACHINE_DETECTION_SECONDS = 30


class _TwilioSender:
    def __init__(
        self,
        client: Client,
        hotline: str,
        renderer: NotificationRenderer,
        session_factory: sessionmaker[Session],
    ) -> None:
        """
        Args:
            client: `bots.voice.client.twilio_client(...)`.
            hotline: TWILIO_NUMBER, the sender of every SMS and call.
            renderer: outbox row (kind, payload, language) -> the replies to say or write.
            session_factory: to leave the care call's timer when a rating is asked.
        """
        self._client = client
        self._hotline = hotline
        self._renderer = renderer
        self._factory = session_factory

    def _follow_up_instead(self, message: OutboxMessage) -> str | None:
        if message.kind != "rate_request" or not message.payload.get("request_id"):
            return None
        with transaction(self._factory) as session:
            job = schedule_follow_up(session, int(message.payload["request_id"]), utcnow())
            return f"follow-up-call:{job.id}"

    def _twilio(self, action: str, **fields: Any) -> str:
        """One REST call; Twilio's answers mapped to the outbox's retry rules."""
        resource = self._client.messages if action == "sms" else self._client.calls
        try:
            created = resource.create(**fields)
        except TwilioRestException as exc:
            detail = f"Twilio {exc.status} (code {exc.code}): {exc.msg}"
            if exc.status == 429 or exc.status >= 500:
                raise TransientSendError(detail) from exc
            if exc.status == 401:
                log.error("Twilio refuses our credentials; %s messages wait", action)
                raise TransientSendError(detail) from exc
            # Invalid or unreachable number, unsubscribed, not permitted: retrying cannot help.
            raise PermanentSendError(detail) from exc
        except (requests.RequestException, TwilioException) as exc:
            raise TransientSendError(f"Twilio unreachable: {exc}") from exc
        return str(created.sid)


class SmsSender(_TwilioSender):
    """`backend.outbox.service.Sender` for the channel "sms"."""

    channel = "sms"

    def send(self, message: OutboxMessage) -> str:
        scheduled = self._follow_up_instead(message)
        if scheduled is not None:
            return scheduled
        to = _number(message.address)
        payload = dict(message.payload or {})
        language = str(payload.get("language") or "fr")
        if "requester_phone" in payload:
            payload["requester_phone"] = Prompts(language).say(
                "sms.hotline", hotline=_national(self._hotline)
            )
        body = sms_text(self._renderer(message.kind, payload, language), language)
        if not body:
            raise PermanentSendError(f"nothing to send for a {message.kind!r} message")
        return self._twilio("sms", to=to, from_=self._hotline, body=body)


class CallSender(_TwilioSender):
    """`backend.outbox.service.Sender` for the channel "voice_call" (landlines)."""

    channel = "voice_call"

    def __init__(
        self,
        client: Client,
        hotline: str,
        renderer: NotificationRenderer,
        session_factory: sessionmaker[Session],
        *,
        public_url: str,
    ) -> None:
        super().__init__(client, hotline, renderer, session_factory)
        self._public = public_url.rstrip("/")

    def send(self, message: OutboxMessage) -> str:
        scheduled = self._follow_up_instead(message)
        if scheduled is not None:
            return scheduled
        self._still_current(message)
        return self._twilio(
            "call",
            to=_number(message.address),
            from_=self._hotline,
            url=f"{self._public}/voice/outbound?outbox={message.id}",
            method="POST",
            status_callback=f"{self._public}/voice/status?outbox={message.id}",
            status_callback_method="POST",
            status_callback_event=["completed"],
            timeout=RING_SECONDS,
            machine_detection=MACHINE_DETECTION,
            machine_detection_timeout=MACHINE_DETECTION_SECONDS,
            async_amd="false",
        )

    def _still_current(self, message: OutboxMessage) -> None:
        """A call is placed late (again after an answering machine, or after a backlog): not
        about an offer taken or withdrawn meanwhile, or a job cancelled or given to another."""
        with transaction(self._factory) as session:
            reason = no_longer_current(session, message, utcnow())
        if reason is not None:
            raise NoLongerCurrent(f"appel non passé : {reason}")


def _number(address: str) -> str:
    if not E164.fullmatch(address or ""):
        raise PermanentSendError(f"not a phone number in E.164 form: {address!r}")
    return address


def _national(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
