"""The twilio library's REST client, pointed at TWILIO_API_URL.

The library builds every URL on `https://api.twilio.com`; Twilio's advice for another host
is a custom HTTP client, so this one rewrites that prefix (a fake server in tests, a proxy
in some deployments) and keeps everything else of the library: form encoding, Basic auth
with the Account SID and auth token, JSON responses, `TwilioRestException` on errors. Its
logger stays at WARNING: the library logs request parameters (numbers, SMS bodies) at INFO.
"""

from __future__ import annotations

import logging
from typing import Any

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

TWILIO_API = "https://api.twilio.com"
quiet = logging.getLogger("bots.voice.twilio_http")
quiet.setLevel(logging.WARNING)


class _BaseUrlHttpClient(TwilioHttpClient):
    def __init__(self, api_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout, logger=quiet)
        self._api_url = api_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API):
            url = self._api_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def twilio_client(
    account_sid: str, auth_token: str, api_url: str = TWILIO_API, *, timeout: float = 15.0
) -> Client:
    """A REST client for the account, sending to `api_url` (TWILIO_API_URL)."""
    return Client(
        account_sid,
        auth_token,
        http_client=_BaseUrlHttpClient(api_url, timeout),
        # Our settings configure it, not os.environ (TWILIO_EDGE there would change the host).
        environment={"TWILIO_EDGE": "", "TWILIO_REGION": ""},
    )
