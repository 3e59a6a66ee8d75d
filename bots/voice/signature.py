"""Is this request from Twilio? Its `X-Twilio-Signature` checked with twilio's RequestValidator.

Twilio signs the full URL it requested plus the sorted form fields with the account's auth
token (HMAC-SHA1). Behind a proxy the URL we see is not the one Twilio called, so the URL is
rebuilt from PUBLIC_URL, the path and the raw query string. The body is read with a limit
first: a webhook's form is a few hundred bytes.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY_BYTES = 64_000


class BadRequest(Exception):
    """Not a form Twilio would send (too large, not form-encoded)."""


class TwilioSignature:
    def __init__(self, auth_token: str, public_url: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._public = public_url.rstrip("/")

    def url_of(self, request: Request) -> str:
        query = request.url.query
        return f"{self._public}{request.url.path}" + (f"?{query}" if query else "")

    async def form(self, request: Request) -> dict[str, str] | None:
        """The webhook's form fields, or None when the signature does not match.

        Raises BadRequest for a body that cannot be a Twilio webhook."""
        body = await _read_body(request, MAX_BODY_BYTES)
        content_type = request.headers.get("content-type", "")
        if body and not content_type.startswith("application/x-www-form-urlencoded"):
            raise BadRequest("expected application/x-www-form-urlencoded")
        try:
            # Blank values are signed too ("Digits=" on a silence): keep them.
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError as exc:
            raise BadRequest(f"the form is not UTF-8: {exc}") from exc
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not self._validator.validate(self.url_of(request), form, signature):
            return None
        return form

    def sign(self, url: str, form: dict[str, str]) -> str:
        """What Twilio would send for `form` posted to `url` (for `coupdemain call`)."""
        return self._validator.compute_signature(url, form)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BadRequest(f"a webhook form is at most {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(f"a webhook form is at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
