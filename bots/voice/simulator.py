"""Twilio's side of a call, simulated: signed webhooks in, TwiML read back as what is heard.

For `coupdemain call` (a phone call in the terminal against the running server), the tests
and the benchmark. It posts the form fields Twilio posts (CallSid, From, To, Direction,
CallStatus, SpeechResult + Confidence or Digits), signed with the auth token the way Twilio
signs (twilio's RequestValidator over PUBLIC_URL + path + query), and follows the TwiML:
the `<Gather>` action is where the next answer goes.

    call = PhoneCall(http_post, public_url=..., auth_token=..., caller="+33478000001",
                     hotline="+33482000000")
    heard = call.start()              # heard.said: every sentence, in order
    heard = call.answer(digits="1")   # or speech="des courses demain", or nothing: silence
    call.hang_up()                    # the status callback
"""

from __future__ import annotations

import itertools
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator

from bots.voice.signature import SIGNATURE_HEADER

# (path with query, form fields, headers) -> (HTTP status, body text)
Poster = Callable[[str, dict[str, str], dict[str, str]], tuple[int, str]]


@dataclass
class Heard:
    """One TwiML answer, as the caller experiences it."""

    status: int
    xml: str
    said: list[str] = field(default_factory=list)
    gather: dict[str, str] | None = None  # the <Gather>'s attributes: action, numDigits...
    dialled: list[str] = field(default_factory=list)  # numbers a <Dial> rings
    dial: dict[str, str] | None = None  # the <Dial>'s attributes: callerId, action...
    hung_up: bool = False
    redirect: str | None = None
    voices: set[str] = field(default_factory=set)  # voice="..." of every <Say>

    @property
    def text(self) -> str:
        return " ".join(self.said)

    @property
    def waits_for_answer(self) -> bool:
        return self.gather is not None

    @classmethod
    def parse(cls, status: int, body: str) -> Heard:
        heard = cls(status=status, xml=body)
        if status != 200:
            return heard
        root = ET.fromstring(body)
        for element in root.iter():
            if element.tag == "Say":
                words = "".join(element.itertext()).strip()
                if words:
                    heard.said.append(words)
                heard.voices.add(element.get("voice", ""))
            elif element.tag == "Gather":
                heard.gather = dict(element.attrib)
            elif element.tag == "Dial":
                heard.dial = dict(element.attrib)
                number = (element.text or "").strip()
                if number:
                    heard.dialled.append(number)
            elif element.tag == "Number":
                heard.dialled.append((element.text or "").strip())
            elif element.tag == "Hangup":
                heard.hung_up = True
            elif element.tag == "Redirect":
                heard.redirect = (element.text or "").strip()
        return heard


class PhoneCall:
    """One call, inbound (someone rings the hotline) or outbound (we rang them)."""

    def __init__(
        self,
        post: Poster,
        *,
        public_url: str,
        auth_token: str,
        caller: str,
        hotline: str,
        account_sid: str = "AC" + "0" * 32,
        outbound: bool = False,
        call_sid: str | None = None,
    ) -> None:
        self._post = post
        self._public = public_url.rstrip("/")
        self._validator = RequestValidator(auth_token)
        self.call_sid = call_sid or "CA" + uuid.uuid4().hex
        self.account_sid = account_sid
        self.person, self.hotline, self.outbound = caller, hotline, outbound
        self.last: Heard | None = None
        self._turns = itertools.count(1)

    # ------------------------------------------------------------------ what Twilio posts
    def base_form(self, status: str = "in-progress") -> dict[str, str]:
        ours, theirs = self.hotline, self.person
        frm, to = (ours, theirs) if self.outbound else (theirs, ours)
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": status,
            "Direction": "outbound-api" if self.outbound else "inbound",
            "From": frm,
            "To": to,
            "Caller": frm,
            "Called": to,
        }

    def signed_post(self, url: str, form: dict[str, str], *, signature: str | None = None) -> Heard:
        """POST `form` to `url` (absolute, under PUBLIC_URL) as Twilio would."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        full = f"{self._public}{path}"
        sign = signature if signature is not None else self._validator.compute_signature(full, form)
        status, body = self._post(path, form, {SIGNATURE_HEADER: sign})
        self.last = Heard.parse(status, body)
        return self.last

    # ------------------------------------------------------------------ the call
    def start(self) -> Heard:
        """Someone rings the hotline (Twilio's voice URL)."""
        return self.signed_post(f"{self._public}/voice/incoming", self.base_form("ringing"))

    def pick_up(self, url: str, *, answered_by: str | None = None) -> Heard:
        """The person we rang picks up: Twilio requests the call's Url. With answering machine
        detection on, `answered_by` is its verdict ("human", "machine_end_beep", "fax"...)."""
        form = self.base_form()
        if answered_by is not None:
            form["AnsweredBy"] = answered_by
        return self.signed_post(url, form)

    def answer(
        self, *, speech: str | None = None, digits: str | None = None, confidence: float = 0.92
    ) -> Heard:
        """Speak or key an answer to the last question; neither is a silence."""
        assert self.last is not None and self.last.gather is not None, "nothing was asked"
        form = self.base_form()
        if speech:
            form.update(SpeechResult=speech, Confidence=f"{confidence:.2f}")
        if digits:
            form["Digits"] = digits
        return self.signed_post(self.last.gather["action"], form)

    def after_dial(self, status: str = "completed") -> Heard:
        """The transfer ended: Twilio requests the <Dial> action."""
        assert self.last is not None and self.last.dial is not None, "nothing was dialled"
        form = {**self.base_form(), "DialCallStatus": status, "DialCallSid": "CA" + "1" * 32}
        return self.signed_post(self.last.dial["action"], form)

    def hang_up(self, status: str = "completed", *, status_url: str | None = None) -> Heard:
        """Twilio's status callback when the call is over (or never answered)."""
        form = {**self.base_form(status), "CallDuration": "42", "Timestamp": "now"}
        return self.signed_post(status_url or f"{self._public}/voice/status", form)


def http_poster(client: Any) -> Poster:
    """A `Poster` over an httpx.Client or a FastAPI TestClient."""

    def post(path: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        response = client.post(path, data=form, headers=headers)
        return response.status_code, response.text

    return post
