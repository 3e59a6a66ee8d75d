"""JSON bodies refused before anything parses them: too large (413) or nested too deep (422).

Python's json module recurses once per level of nesting: a body of 100 000 '[' is parsed into
a RecursionError, and pydantic recurses again over what was parsed. The nesting is counted
here on the raw bytes (strings skipped), which costs one pass of a regular expression, and
the body is handed on untouched when it is fine. The answer has the API's error shape.
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


class JsonBodyGuard:
    """ASGI middleware: JSON request bodies under `prefixes` are read with a limit and their
    nesting checked before the route (and pydantic) sees them."""

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
        if scope["type"] != "http" or not self._applies(scope):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, 413, "too_large", self._too_large())
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
                await self._refuse(send, 413, "too_large", self._too_large())
                return
        problem = too_deep(bytes(body), self.max_depth)
        if problem is not None:
            await self._refuse(send, 422, "too_deep", problem)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _applies(self, scope: Scope) -> bool:
        if not str(scope.get("path", "")).startswith(self.prefixes):
            return False
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return False
        # FastAPI parses a body as JSON when it says so, or says nothing.
        kind = _header(scope, b"content-type").split(";", 1)[0].strip().lower()
        return kind == "" or kind == "application/json" or kind.endswith("+json")

    def _too_large(self) -> str:
        return f"a JSON body is at most {self.max_bytes} bytes"

    async def _refuse(self, send: Send, status: int, code: str, message: str) -> None:
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
