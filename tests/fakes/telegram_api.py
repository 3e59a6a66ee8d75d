"""A fake Telegram Bot API server, over real HTTP, for driving the real python-telegram-bot.

It speaks the Bot API's wire format at `/bot<token>/<method>`: parameters as JSON or as form
fields (PTB sends form fields whose non-string values are JSON-encoded), answers
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description": ...,
"parameters": {"retry_after": ...}}`. It records every call, keeps what each chat was sent
(edits included), queues updates for getUpdates, and injects faults on request.

    with FakeTelegram() as fake:                      # or the `fake_telegram` fixture
        bot = Bot(fake.token, base_url=fake.base_url)
        ...
        fake.messages_to(chat_id)                     # texts, buttons, keyboards, times
        fake.fail_sends(chat_id, times=2, status=429, retry_after=3)
        fake.queue_update(fake.text_update(user, "bonjour"))   # for polling
        post_update(client, fake.text_update(user, "bonjour"), secret="s")  # for webhooks
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.server import BackgroundServer

TOKEN = "123456789:AAHfakeTokenForTestsOnly_0123456789abc"
BOT_ID = 123456789

# Form fields that carry JSON, ints or booleans (the real API knows each method's schema).
_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "scope", "entities"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"}
_BOOL_FIELDS = {"drop_pending_updates", "show_alert", "disable_notification"}


@dataclass(frozen=True)
class TgUser:
    """A Telegram user; in a private chat the chat id is the user id."""

    id: int
    first_name: str = "Jeanne"
    language_code: str | None = "fr"
    username: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        if self.username:
            data["username"] = self.username
        return data

    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when the request arrived


@dataclass
class SentMessage:
    """A message the bot sent, as it stands now (edits applied)."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    at: float
    date: int

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard rows as (label, callback_data)."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b["text"], b.get("callback_data", "")) for b in row] for row in rows]

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        """Reply keyboard rows as the Bot API's KeyboardButton objects."""
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]

    @property
    def removes_keyboard(self) -> bool:
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    def as_api(self) -> dict[str, Any]:
        chat_type = "private" if self.chat_id > 0 else "group"
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": {"id": self.chat_id, "type": chat_type},
            "from": _bot_user(),
            "text": self.text,
        }
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup  # only inline keyboards are echoed
        return data


@dataclass
class _Fault:
    times: int
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], SentMessage] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    answered_queries: set[str] = field(default_factory=set)
    faults: dict[int, list[_Fault]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)


class _Poster(Protocol):
    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any: ...


class FakeTelegram:
    """The fake Bot API. `base_url` is what PTB's `base_url` takes (the token is appended)."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self._lock = threading.Lock()
        self._state = _State()
        self._ids = itertools.count(1)  # message ids (one sequence: simpler, still unique)
        self._update_ids = itertools.count(10_000)
        self._closing = threading.Event()
        self._background = BackgroundServer(self._asgi(), "fake-telegram")
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    def start(self) -> FakeTelegram:
        self.port = self._background.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self._background.stop()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what happened ---------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._state.calls if method is None or c.method == method]

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """What the chat was sent, in order, as it stands now."""
        with self._lock:
            found = [m for (chat, _), m in self._state.messages.items() if chat == chat_id]
        return sorted(found, key=lambda m: m.message_id)

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.text for m in self.messages_to(chat_id)]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll until `condition()` holds (polling-mode tests), or fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout} s: {condition}")
            time.sleep(0.02)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return list(self._state.updates)

    @property
    def webhook(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._state.webhook)

    # --- faults ----------------------------------------------------------------------------

    def fail_sends(
        self,
        chat_id: int,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: int = 3,
        description: str | None = None,
    ) -> None:
        """The next `times` sendMessage calls to `chat_id` fail: 429 (flood control, with
        retry_after), 403 (the user blocked the bot), or any status with `description`."""
        default = {
            429: f"Too Many Requests: retry after {retry_after}",
            403: "Forbidden: bot was blocked by the user",
            400: "Bad Request: chat not found",
        }.get(status, "Internal Server Error")
        fault = _Fault(
            times, status, description or default, retry_after if status == 429 else None
        )
        with self._lock:
            self._state.faults.setdefault(chat_id, []).append(fault)

    # --- updates ---------------------------------------------------------------------------

    def queue_update(self, update: dict[str, Any]) -> None:
        """Make `update` available to getUpdates (polling mode)."""
        with self._lock:
            self._state.updates.append(update)

    def text_update(self, user: TgUser, text: str) -> dict[str, Any]:
        message = self._incoming_message(user, text=text)
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._update(message=message)

    def contact_update(
        self,
        user: TgUser,
        phone: str,
        *,
        contact_user_id: int | None | bool = True,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """A shared contact; by default the sender's own (what the request_contact button
        sends: `user_id` is the sender). Pass `contact_user_id=None` for someone else's."""
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": first_name or user.first_name,
        }
        if contact_user_id is True:
            contact["user_id"] = user.id
        elif contact_user_id:
            contact["user_id"] = contact_user_id
        return self._update(message=self._incoming_message(user, contact=contact))

    def location_update(self, user: TgUser, lat: float, lon: float) -> dict[str, Any]:
        location = {"latitude": lat, "longitude": lon}
        return self._update(message=self._incoming_message(user, location=location))

    def message_update(self, user: TgUser, **fields: Any) -> dict[str, Any]:
        """Any other message, e.g. `sticker={...}` or `photo=[...]`."""
        return self._update(message=self._incoming_message(user, **fields))

    def callback_update(self, user: TgUser, message: SentMessage, data: str) -> dict[str, Any]:
        """The user pressed the inline button `data` under `message` (one the bot sent)."""
        query = {
            "id": str(next(self._update_ids)),
            "from": user.as_dict(),
            "chat_instance": f"ci{message.chat_id}",
            "message": message.as_api(),
            "data": data,
        }
        return self._update(callback_query=query)

    def _incoming_message(self, user: TgUser, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": user.chat(),
            "from": user.as_dict(),
            **fields,
        }

    def _update(self, **fields: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **fields}

    # --- the HTTP side ---------------------------------------------------------------------

    def _asgi(self) -> Starlette:
        return Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await _params(request)
        with self._lock:
            self._state.calls.append(Call(method, params, time.monotonic()))
        if method == "getUpdates":
            return await self._get_updates(params)
        handler = _METHODS.get(method)
        if handler is None:
            return _error(404, "Not Found: method not found")
        with self._lock:
            return handler(self, params)

    async def _get_updates(self, params: dict[str, Any]) -> JSONResponse:
        offset, limit = params.get("offset"), int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                if self._state.webhook.get("url"):
                    return _error(
                        409, "Conflict: can't use getUpdates method while webhook is active"
                    )
                if offset is not None:  # confirms every update before it
                    self._state.updates = [
                        u for u in self._state.updates if u["update_id"] >= int(offset)
                    ]
                ready = self._state.updates[:limit]
            if ready or time.monotonic() >= deadline or self._closing.is_set():
                return _ok(ready)
            await asyncio.sleep(0.02)

    def _send_message(self, params: dict[str, Any]) -> JSONResponse:
        chat_id = params.get("chat_id")
        text = params.get("text")
        if not isinstance(chat_id, int):
            return _error(400, "Bad Request: chat not found")
        if not text or not str(text).strip():
            return _error(400, "Bad Request: message text is empty")
        if len(str(text).encode("utf-16-le")) // 2 > 4096:
            return _error(400, "Bad Request: message is too long")
        faults = self._state.faults.get(chat_id, [])
        if faults:
            fault = faults[0]
            fault.times -= 1
            if fault.times <= 0:
                faults.pop(0)
            extra = {"retry_after": fault.retry_after} if fault.retry_after else None
            return _error(fault.status, fault.description, extra)
        message = SentMessage(
            chat_id=chat_id,
            message_id=next(self._ids),
            text=str(text),
            reply_markup=params.get("reply_markup"),
            at=time.monotonic(),
            date=int(time.time()),
        )
        self._state.messages[(chat_id, message.message_id)] = message
        return _ok(message.as_api())

    def _edit(self, params: dict[str, Any], *, text: bool) -> JSONResponse:
        key = (params.get("chat_id"), params.get("message_id"))
        message = self._state.messages.get(key)  # type: ignore[arg-type]
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        new_text = str(params["text"]) if text else message.text
        new_markup = params.get("reply_markup")  # an edit without one removes the keyboard
        if new_text == message.text and new_markup == message.reply_markup:
            return _error(400, "Bad Request: message is not modified")
        message.text, message.reply_markup = new_text, new_markup
        return _ok(message.as_api())

    def _answer_callback_query(self, params: dict[str, Any]) -> JSONResponse:
        query_id = str(params.get("callback_query_id"))
        if query_id in self._state.answered_queries:
            return _error(400, "Bad Request: query is too old and response timeout expired")
        self._state.answered_queries.add(query_id)
        return _ok(True)

    def _set_webhook(self, params: dict[str, Any]) -> JSONResponse:
        self._state.webhook = {k: v for k, v in params.items() if v is not None}
        return _ok(True)

    def _delete_webhook(self, params: dict[str, Any]) -> JSONResponse:
        self._state.webhook = {}
        if params.get("drop_pending_updates"):
            self._state.updates.clear()
        return _ok(True)

    def _get_webhook_info(self, params: dict[str, Any]) -> JSONResponse:
        url = self._state.webhook.get("url", "")
        pending = len(self._state.updates)
        return _ok({"url": url, "has_custom_certificate": False, "pending_update_count": pending})


_METHODS: dict[str, Callable[[FakeTelegram, dict[str, Any]], JSONResponse]] = {
    "getMe": lambda fake, params: _ok(_bot_user(can_join_groups=True)),
    "sendMessage": FakeTelegram._send_message,
    "editMessageText": lambda fake, params: fake._edit(params, text=True),
    "editMessageReplyMarkup": lambda fake, params: fake._edit(params, text=False),
    "answerCallbackQuery": FakeTelegram._answer_callback_query,
    "setWebhook": FakeTelegram._set_webhook,
    "deleteWebhook": FakeTelegram._delete_webhook,
    "getWebhookInfo": FakeTelegram._get_webhook_info,
    "sendChatAction": lambda fake, params: _ok(True),
    "setMyCommands": lambda fake, params: _ok(True),
}


@pytest.fixture(name="fake_telegram")
def fake_telegram_fixture() -> Iterator[FakeTelegram]:
    """`fake_telegram`: a started fake, stopped after the test. To use it in a test folder,
    import it in that folder's conftest: `from tests.fakes.telegram_api import
    fake_telegram_fixture  # noqa: F401`."""
    with FakeTelegram() as fake:
        yield fake


def post_update(
    client: _Poster,
    update: dict[str, Any],
    *,
    secret: str | None,
    path: str = "/telegram/webhook",
) -> Any:
    """Deliver `update` to our webhook as Telegram does (JSON body, secret header), through a
    FastAPI TestClient or an httpx.Client; returns the response."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return client.post(path, content=json.dumps(update).encode(), headers=headers)


def _bot_user(**extra: Any) -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Coup de main",
        "username": "coupdemain_test_bot",
        **extra,
    }


async def _params(request: Request) -> dict[str, Any]:
    """The call's parameters, typed: from a JSON body, form fields, or the query string."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.body()
        params.update(json.loads(body) if body else {})
        return params
    if "form" in content_type:
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return {k: _typed(k, v) for k, v in params.items()}


def _typed(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        return json.loads(value)
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value  # "@channelname"
    if name in _BOOL_FIELDS:
        return value.lower() == "true"
    return value


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)
