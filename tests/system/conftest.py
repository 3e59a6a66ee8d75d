"""Several real processes on one PostgreSQL and one Redis, as in production.

Two web processes (`coupdemain serve --no-workers`, one port each, as two instances behind a
load balancer) and two worker processes (`coupdemain worker`) are started as OS subprocesses
on a throw-away PostgreSQL database, with Telegram pointed at the fake Bot API and Twilio at
the fake REST API (tests/fakes/). The test drives them over loopback HTTP as Telegram, Twilio
and a balancer would. Every process's output goes to a file under tmp_path, printed when the
test fails; every process is killed at the end, whatever happened.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nlu.artefact import load_or_train
from tests.conftest import PG_ADMIN_URL, _postgres_unreachable
from tests.dialogues.conftest import MODELS_DIR
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

REDIS_URL = os.environ.get("COUPDEMAIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
TELEGRAM_TOKEN = "424242:SYSTEMtestTokenForFakeBotApi_0123456789"
WEBHOOK_SECRET = "system-test-webhook-secret"
HOTLINE = "+33482530000"
STARTUP_SECONDS = 60.0
STOP_SECONDS = 20.0


class TaggedTelegram(FakeTelegram):
    """The fake Bot API, also at `/outbox/bot<token>/<method>`: the workers call it there, so
    that what the outbox delivered is told apart from what the web processes answered within a
    turn (both are sendMessage calls to the same chats)."""

    def __init__(self, token: str) -> None:
        self._outbox_lock = threading.Lock()
        self.outbox_sent: list[tuple[int, int]] = []  # (chat_id, message_id), in order
        self.web_sent: list[tuple[int, int]] = []
        super().__init__(token=token)

    @property
    def outbox_base_url(self) -> str:
        return f"{self.url}/outbox/bot"

    def _asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/outbox/bot{token}/{method}", self._outbox, methods=["GET", "POST"]),
                Route("/bot{token}/{method}", self._web, methods=["GET", "POST"]),
            ]
        )

    async def _outbox(self, request: Request) -> Response:
        return self._note(request, await self._endpoint(request), self.outbox_sent)

    async def _web(self, request: Request) -> Response:
        return self._note(request, await self._endpoint(request), self.web_sent)

    def _note(
        self, request: Request, response: JSONResponse, into: list[tuple[int, int]]
    ) -> Response:
        if request.path_params["method"] == "sendMessage" and response.status_code == 200:
            result = json.loads(bytes(response.body))["result"]
            with self._outbox_lock:
                into.append((int(result["chat"]["id"]), int(result["message_id"])))
        return response

    def outbox_messages(self) -> list[tuple[int, int]]:
        with self._outbox_lock:
            return list(self.outbox_sent)

    def web_message_ids(self, chat_id: int) -> set[int]:
        with self._outbox_lock:
            return {m for c, m in self.web_sent if c == chat_id}


@dataclass
class Proc:
    """One OS process of ours, its output in a file."""

    name: str
    args: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    generation: int = 0

    def start(self, env: dict[str, str], cwd: Path) -> None:
        self.generation += 1
        out = self.log.open("ab")
        out.write(f"\n===== {self.name}, start #{self.generation} =====\n".encode())
        out.flush()
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "coupdemain", *self.args],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed with whatever it spawned
        )
        out.close()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def terminate(self, timeout: float = STOP_SECONDS) -> int:
        """SIGTERM, as an orchestrator stops a process; its exit code."""
        assert self.popen is not None
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout)

    def kill(self) -> None:
        """Whatever state it is in: gone, with its process group, once this returns."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(10)


class Balancer:
    """Two web instances behind a round-robin balancer: each request goes to the next one; a
    refused connection (an instance down, or stopping) goes to the other instead."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self.served = [0] * len(urls)
        self.rerouted = 0
        self.errors: Counter[str] = Counter()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        first = next(self._turn) % len(self.urls)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            for n in (first, *[i for i in range(len(self.urls)) if i != first]):
                try:
                    response = self.send_to(n, method, path, **kwargs)
                except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                    # Refused, closed or reset before an answer by an instance shutting down (a
                    # reset comes from a connection still in its backlog). Telegram sends an
                    # update again when no answer came; the other instance gets the same
                    # update_id (or CallSid and turn), which the webhooks answer only once.
                    with self._lock:
                        self.rerouted += 1
                        self.errors[type(exc).__name__] += 1
                    continue
                with self._lock:
                    self.served[n] += 1
                return response
            if time.monotonic() > deadline:
                raise AssertionError(f"no web instance answered {method} {path}")
            time.sleep(0.2)

    def send_to(self, n: int, method: str, path: str, **kwargs: Any) -> httpx.Response:
        # A connection per request: nothing pooled toward an instance that may go away.
        with httpx.Client(base_url=self.urls[n], timeout=60) as client:
            return client.request(method, path, **kwargs)

    def post(
        self,
        path: str,
        *,
        content: bytes | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return self.request("POST", path, content=content, data=data, headers=headers)


@dataclass
class System:
    """The running processes, the fakes they talk to, and the balancer in front."""

    database_url: str
    tmp: Path
    env: dict[str, str]
    telegram: TaggedTelegram
    twilio: FakeTwilio
    ports: list[int]
    public_url: str
    webs: list[Proc] = field(default_factory=list)
    workers: list[Proc] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def start_all(self) -> None:
        for proc in (*self.webs, *self.workers):
            proc.start(self.env, self.tmp)
        for n in range(len(self.webs)):
            self.wait_healthy(n)
        for proc in self.workers:
            self.wait_for_log(proc, "worker ready")

    def healthy(self, n: int) -> bool:
        try:
            return httpx.get(f"{self.urls[n]}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_healthy(self, n: int) -> None:
        eventually(
            lambda: self._still_running(self.webs[n]) and self.healthy(n),
            f"{self.webs[n].name} answering /healthz",
            STARTUP_SECONDS,
        )

    def wait_for_log(self, proc: Proc, words: str) -> None:
        eventually(
            lambda: self._still_running(proc) and words in self.log_text(proc),
            f"{proc.name} saying {words!r}",
            STARTUP_SECONDS,
        )

    def _still_running(self, proc: Proc) -> bool:
        if not proc.alive():
            raise AssertionError(f"{proc.name} exited early:\n{self.log_text(proc)[-4000:]}")
        return True

    def log_text(self, proc: Proc) -> str:
        return proc.log.read_text(errors="replace") if proc.log.exists() else ""

    def restart_web(self, n: int) -> int:
        """SIGTERM one web instance, then start it again on the same port; its exit code."""
        code = self.webs[n].terminate()
        self.webs[n].start(self.env, self.tmp)
        self.wait_healthy(n)
        return code

    def kill_all(self) -> None:
        for proc in (*self.webs, *self.workers):
            try:
                proc.kill()
            except Exception as exc:  # keep killing the others
                print(f"could not kill {proc.name}: {exc}")

    def print_logs(self) -> None:
        for proc in (*self.webs, *self.workers):
            print(f"\n----- {proc.name} ({proc.log}) -----\n{self.log_text(proc)[-20000:]}")


def eventually(condition: Callable[[], object], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.1)


def _free_ports(n: int) -> list[int]:
    import socket

    sockets = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [int(s.getsockname()[1]) for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _redis_unreachable() -> str | None:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} unreachable: {exc}"
    return None


@pytest.fixture
def system_database() -> Iterator[str]:
    """A PostgreSQL database of this test's own (migrated by the test, not create_all'd by
    the session's `pg_url`), dropped at the end; skipped when the server is unreachable."""
    reason = _postgres_unreachable()
    if reason:
        pytest.skip(reason)
    name = f"cdm_system_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def redis_ready() -> None:
    reason = _redis_unreachable()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def trained_nlu_model() -> Path:
    """The local intent model, trained here if missing or stale, so each process only loads
    it from COUPDEMAIN_NLU_MODELS_DIR."""
    load_or_train(MODELS_DIR)
    return MODELS_DIR


@pytest.fixture
def system(
    system_database: str, redis_ready: None, trained_nlu_model: Path, tmp_path: Path
) -> Iterator[System]:
    """The processes, not started yet (the test seeds the database first)."""
    web_ports = _free_ports(2)
    telegram = TaggedTelegram(TELEGRAM_TOKEN)
    telegram.start()
    with contextlib.ExitStack() as stack:
        stack.callback(telegram.stop)
        twilio = stack.enter_context(FakeTwilio(ACCOUNT_SID, AUTH_TOKEN))
        public_url = f"http://127.0.0.1:{web_ports[0]}"  # the balancer's address, as signed
        base = {k: v for k, v in os.environ.items() if not k.startswith("COUPDEMAIN_")}
        base.update(
            PYTHONUNBUFFERED="1",
            COUPDEMAIN_DATABASE_URL=system_database,
            COUPDEMAIN_VAR_DIR=str(tmp_path / "var"),
            COUPDEMAIN_REDIS_URL=REDIS_URL,
            COUPDEMAIN_NLU_MODELS_DIR=str(trained_nlu_model),
            COUPDEMAIN_PUBLIC_URL=public_url,
            COUPDEMAIN_TELEGRAM_TOKEN=TELEGRAM_TOKEN,
            COUPDEMAIN_TELEGRAM_API_URL=telegram.base_url,
            COUPDEMAIN_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            COUPDEMAIN_TELEGRAM_MODE="webhook",
            COUPDEMAIN_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            COUPDEMAIN_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            COUPDEMAIN_TWILIO_NUMBER=HOTLINE,
            COUPDEMAIN_TWILIO_API_URL=twilio.url,
            COUPDEMAIN_LOG_LEVEL="INFO",
        )
        system = System(system_database, tmp_path, base, telegram, twilio, web_ports, public_url)
        for n, port in enumerate(web_ports):
            system.webs.append(
                Proc(
                    f"web-{'AB'[n]}",
                    ["serve", "--no-workers", "--port", str(port)],
                    tmp_path / f"web-{'AB'[n]}.log",
                )
            )
        worker_env = {**base, "COUPDEMAIN_TELEGRAM_API_URL": telegram.outbox_base_url}
        for n in range(2):
            system.workers.append(
                WorkerProc(
                    f"worker-{n + 1}",
                    ["worker", "--concurrency", "3"],
                    tmp_path / f"worker-{n + 1}.log",
                    env_override=worker_env,
                )
            )
        try:
            yield system
        finally:
            system.kill_all()


@dataclass
class WorkerProc(Proc):
    """A worker: it reaches the Bot API at the fake's /outbox/ address."""

    env_override: dict[str, str] = field(default_factory=dict)

    def start(self, env: dict[str, str], cwd: Path) -> None:
        super().start(self.env_override or env, cwd)
