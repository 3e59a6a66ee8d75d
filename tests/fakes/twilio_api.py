"""A fake Twilio REST API server, over real HTTP, for driving the real twilio library.

It speaks Twilio's wire format at `/2010-04-01/Accounts/{AccountSid}/Messages.json` and
`Calls.json`: form-encoded parameters (`To`, `From`, `Body`; `Url`, `Method`,
`StatusCallback`, repeated `StatusCallbackEvent`, `Timeout`, `MachineDetection`,
`MachineDetectionTimeout`, `AsyncAmd`), HTTP Basic auth with the
Account SID and auth token, `201` with the created resource's JSON (`sid` "SM..." or
"CA...", `status` "queued", `uri` ...), and errors as Twilio sends them:
`{"code": 21211, "message": ..., "more_info": ..., "status": 400}`. It records every
request, and injects faults on request.

    with FakeTwilio(account_sid, auth_token) as fake:          # or the `fake_twilio` fixture
        client = twilio_client(account_sid, auth_token, fake.url)
        ...
        fake.sms_to("+33612345678")        # [SentSms(to, from_, body, sid, ...)]
        fake.calls_to("+33478000001")      # [PlacedCall(to, from_, url, status_callback, ...)]
        fake.fail_next(status=429, code=20429, times=2)
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.server import BackgroundServer

ACCOUNT_SID = "AC" + "c0ffee" * 5 + "00"
AUTH_TOKEN = "fake-twilio-auth-token-for-tests"


@dataclass(frozen=True)
class ApiRequest:
    """One request as the server received it."""

    resource: str  # "Messages" or "Calls"
    account_sid: str  # from the path
    auth: tuple[str, str] | None  # Basic auth (username, password)
    form: dict[str, list[str]]  # every form field, repeated ones kept in order
    at: float

    def field(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[-1] if values else None


@dataclass(frozen=True)
class SentSms:
    sid: str
    to: str
    from_: str
    body: str
    at: float


@dataclass(frozen=True)
class PlacedCall:
    sid: str
    to: str
    from_: str
    url: str | None
    twiml: str | None
    method: str
    status_callback: str | None
    status_callback_events: list[str]
    timeout: int | None
    at: float
    # Answering machine detection, as sent: "Enable" / "DetectMessageEnd", seconds, "true" / "false"
    machine_detection: str | None = None
    machine_detection_timeout: int | None = None
    async_amd: str | None = None


@dataclass
class _Fault:
    times: int
    status: int
    code: int
    message: str
    resource: str | None


@dataclass
class _State:
    requests: list[ApiRequest] = field(default_factory=list)
    sms: list[SentSms] = field(default_factory=list)
    calls: list[PlacedCall] = field(default_factory=list)
    faults: list[_Fault] = field(default_factory=list)


class FakeTwilio:
    """The fake REST API. `url` is what TWILIO_API_URL takes (it stands for api.twilio.com)."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self._state = _State()
        self._lock = threading.Lock()
        self.port = 0
        self._background = BackgroundServer(self._asgi(), "fake-twilio")

    # --- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTwilio:
        self.port = self._background.start()
        return self

    def stop(self) -> None:
        self._background.stop()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what happened ---------------------------------------------------------------------
    def requests(self, resource: str | None = None) -> list[ApiRequest]:
        with self._lock:
            return [r for r in self._state.requests if resource in (None, r.resource)]

    def sms_to(self, number: str) -> list[SentSms]:
        with self._lock:
            return [m for m in self._state.sms if m.to == number]

    def calls_to(self, number: str) -> list[PlacedCall]:
        with self._lock:
            return [c for c in self._state.calls if c.to == number]

    def fail_next(
        self,
        *,
        status: int,
        code: int,
        message: str = "Injected fault",
        times: int = 1,
        resource: str | None = None,
    ) -> None:
        """The next `times` requests (to `resource`, or any) fail as Twilio would fail them."""
        with self._lock:
            self._state.faults.append(_Fault(times, status, code, message, resource))

    # --- the server ------------------------------------------------------------------------
    def _asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route(
                    "/2010-04-01/Accounts/{sid}/{resource}.json",
                    self._endpoint,
                    methods=["POST", "GET"],
                )
            ]
        )

    async def _endpoint(self, request: Request) -> JSONResponse:
        sid, resource = request.path_params["sid"], request.path_params["resource"]
        raw = await request.form()
        form: dict[str, list[str]] = {}
        for key, value in raw.multi_items():
            form.setdefault(key, []).append(str(value))
        auth = _basic_auth(request.headers.get("authorization"))
        api_request = ApiRequest(resource, sid, auth, form, time.monotonic())
        with self._lock:
            self._state.requests.append(api_request)
        if auth != (self.account_sid, self.auth_token):
            return _error(401, 20003, "Authenticate")
        if sid != self.account_sid:
            return _error(404, 20404, f"The requested resource {request.url.path} was not found")
        if resource not in ("Messages", "Calls") or request.method != "POST":
            return _error(405, 20004, "Method not allowed")
        fault = self._take_fault(resource)
        if fault is not None:
            return _error(fault.status, fault.code, fault.message)
        if resource == "Messages":
            return self._create_message(api_request)
        return self._create_call(api_request)

    def _take_fault(self, resource: str) -> _Fault | None:
        with self._lock:
            for fault in self._state.faults:
                if fault.times > 0 and fault.resource in (None, resource):
                    fault.times -= 1
                    return fault
        return None

    def _create_message(self, req: ApiRequest) -> JSONResponse:
        to, from_, body = req.field("To"), req.field("From"), req.field("Body")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not from_:
            return _error(400, 21603, "A 'From' phone number is required.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if not to.startswith("+"):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        sid = "SM" + uuid.uuid4().hex
        with self._lock:
            self._state.sms.append(SentSms(sid, to, from_, body, req.at))
        now = formatdate(usegmt=True)
        return JSONResponse(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": to,
                "from": from_,
                "body": body,
                "status": "queued",
                "direction": "outbound-api",
                "num_segments": str(1 + len(body) // 160),
                "num_media": "0",
                "api_version": "2010-04-01",
                "date_created": now,
                "date_updated": now,
                "date_sent": None,
                "price": None,
                "price_unit": "USD",
                "error_code": None,
                "error_message": None,
                "messaging_service_sid": None,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
                "subresource_uris": {
                    "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
                },
            },
            status_code=201,
        )

    def _create_call(self, req: ApiRequest) -> JSONResponse:
        to, from_ = req.field("To"), req.field("From")
        url, twiml = req.field("Url"), req.field("Twiml")
        if not to:
            return _error(400, 21201, "No 'To' number is specified")
        if not from_:
            return _error(400, 21202, "No 'From' number is specified")
        if not url and not twiml:
            return _error(400, 21205, "Url parameter is required.")
        timeout = req.field("Timeout")
        amd, amd_timeout, async_amd = (
            req.field("MachineDetection"),
            req.field("MachineDetectionTimeout"),
            req.field("AsyncAmd"),
        )
        if amd not in (None, "Enable", "DetectMessageEnd"):
            return _error(400, 20001, f"MachineDetection must be Enable or DetectMessageEnd: {amd}")
        if async_amd not in (None, "true", "false"):
            return _error(400, 20001, f"AsyncAmd must be true or false: {async_amd}")
        sid = "CA" + uuid.uuid4().hex
        call = PlacedCall(
            sid=sid,
            to=to,
            from_=from_,
            url=url,
            twiml=twiml,
            method=req.field("Method") or "POST",
            status_callback=req.field("StatusCallback"),
            status_callback_events=req.form.get("StatusCallbackEvent", []),
            timeout=int(timeout) if timeout and timeout.isdigit() else None,
            at=req.at,
            machine_detection=amd,
            machine_detection_timeout=int(amd_timeout) if amd_timeout else None,
            async_amd=async_amd,
        )
        with self._lock:
            self._state.calls.append(call)
        now = formatdate(usegmt=True)
        return JSONResponse(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": to,
                "to_formatted": to,
                "from": from_,
                "from_formatted": from_,
                "status": "queued",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "date_created": now,
                "date_updated": now,
                "start_time": None,
                "end_time": None,
                "duration": None,
                "price": None,
                "price_unit": "USD",
                "parent_call_sid": None,
                "phone_number_sid": None,
                "answered_by": None,
                "caller_name": None,
                "forwarded_from": None,
                "queue_time": "0",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
                "subresource_uris": {},
            },
            status_code=201,
        )


@pytest.fixture(name="fake_twilio")
def fake_twilio_fixture() -> Iterator[FakeTwilio]:
    """`fake_twilio`: a started fake, stopped after the test. To use it in a test folder,
    import it in that folder's conftest: `from tests.fakes.twilio_api import
    fake_twilio_fixture  # noqa: F401`."""
    with FakeTwilio() as fake:
        yield fake


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )
