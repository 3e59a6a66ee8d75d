"""Input refused before anything parses it: bodies too large (413), JSON nested too deep
(422), text carrying the NUL character (422).

Python's json module recurses once per level of nesting: a body of 100 000 '[' is parsed into
a RecursionError, and pydantic recurses again over what was parsed. The nesting is counted
here on the raw bytes (strings skipped), which costs one pass of a regular expression, and
the body is handed on untouched when it is fine. NUL ('\\0', '%00', '\\u0000') is never
text a person typed, and PostgreSQL cannot store or even compare it: refused in the query,
the path and the body alike, so SQLite and PostgreSQL answer the same. The answer has the
API's error shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_BYTES = 1_000_000  # our largest request is a few kilobytes
MAX_JSON_DEPTH = 32  # our deepest schema nests five levels

# A JSON string (with its escapes), or one bracket: strings may hold brackets that do not count.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth(body: bytes, limit: int) -> int:
    """How deep `body` nests arrays and objects, counted up to `limit + 1` at most."""
    depth = deepest = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> str | None:
    """The refusal for a body nested deeper than `limit` levels, or None."""
    if json_depth(body, limit) > limit:
        return f"the JSON body nests deeper than {limit} levels of arrays and objects"
    return None


NUL_REFUSED = "text may not contain the NUL character (\\0, %00, \\u0000)"
# \u0000 as a JSON escape: after an even number of backslashes (an odd one escapes the "\").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM = "application/x-www-form-urlencoded"


class RequestGuard:
    """ASGI middleware for the routes under `prefixes`: the query and path are checked for
    NUL, JSON and form bodies are read with a limit and checked before the route (and
    pydantic) sees them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefixes: Sequence[str] = ("/api/",),
        max_bytes: int = MAX_JSON_BYTES,
        max_depth: int = MAX_JSON_DEPTH,
    ) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b"") or "\x00" in str(scope.get("path", "")):
            await _refuse(send, 422, "nul_character", NUL_REFUSED)
            return
        kind = self._body_kind(scope)
        if kind is None:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, 413, "too_large", self._too_large())
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left: nothing to answer
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await _refuse(send, 413, "too_large", self._too_large())
                return
        raw = bytes(body)
        if kind == "json":
            problem = too_deep(raw, self.max_depth)
            if problem is not None:
                await _refuse(send, 422, "too_deep", problem)
                return
        if b"\x00" in raw or (_JSON_NUL.search(raw) if kind == "json" else b"%00" in raw):
            await _refuse(send, 422, "nul_character", NUL_REFUSED)
            return
        await self.app(scope, _replay(raw, receive), send)

    @staticmethod
    def _body_kind(scope: Scope) -> str | None:
        """'json' or 'form' for a body we check, None for no body or one we pass on."""
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return None
        kind = _header(scope, b"content-type").split(";", 1)[0].strip().lower()
        # FastAPI parses a body as JSON when it says so, or says nothing.
        if kind == "" or kind == "application/json" or kind.endswith("+json"):
            return "json"
        return "form" if kind == _FORM else None

    def _too_large(self) -> str:
        return f"a request body is at most {self.max_bytes} bytes"


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    payload = json.dumps({"error": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever the client sends next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
