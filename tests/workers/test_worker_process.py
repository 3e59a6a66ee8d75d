"""`coupdemain worker` and `coupdemain serve --web-processes N` as real processes, on a
temporary SQLite database, with the real Telegram sender against the fake Bot API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from backend.db import make_engine, make_session_factory
from backend.migrations.runner import upgrade
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.outbox.service import enqueue
from tests.fakes.telegram_api import FakeTelegram

CHAT = 900000101
STARTUP_SECONDS = 60.0


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPDEMAIN_")}
    env.update(
        COUPDEMAIN_DATABASE_URL=f"sqlite:///{tmp_path / 'cdm.db'}",
        COUPDEMAIN_VAR_DIR=str(tmp_path / "var"),
        **extra,
    )
    return env


def _eventually(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    log = (cwd / "process.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "coupdemain", *args], env=env, cwd=cwd, stdout=log, stderr=log
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:  # a failed test must not leave servers behind
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(STARTUP_SECONDS)
            except subprocess.TimeoutExpired:
                for child in _child_pids(process.pid):
                    os.kill(child, signal.SIGKILL)
                process.kill()
                process.wait()


def test_worker_process_delivers_to_telegram_and_stops_cleanly_on_sigterm(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    url = f"sqlite:///{tmp_path / 'cdm.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s, s.begin():
        enqueue(
            s,
            channel="telegram",
            address=str(CHAT),
            kind="nobody",
            payload={"id": 42, "language": "fr"},
        )
    with FakeTelegram() as fake:
        env = _environment(
            tmp_path,
            COUPDEMAIN_TELEGRAM_TOKEN=fake.token,
            COUPDEMAIN_TELEGRAM_API_URL=fake.base_url,
        )
        worker = _start(["worker", "--no-jobs", "--concurrency", "2"], env, tmp_path)
        processes.append(worker)

        def sent() -> bool:
            with factory() as s:
                return s.scalars(select(OutboxMessage)).one().status == OutboxStatus.sent

        _eventually(sent, "the outbox row marked sent")
        texts = fake.texts_to(CHAT)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(STARTUP_SECONDS) == 0
    assert texts == [
        "Je n'ai pas encore trouvé de voisin pour votre demande n°42. "
        "Une personne de l'équipe s'en occupe."
    ]
    with factory() as s:
        row = s.scalars(select(OutboxMessage)).one()
    assert row.provider_id and row.attempts == 1
    log = (tmp_path / "process.log").read_text()
    assert "sending on telegram" in log and "worker stopped" in log
    assert fake.token not in log  # secrets never in logs
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _child_pids(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _children(pid: int) -> list[str]:
    """The command lines of a process's children (Linux /proc)."""
    lines = []
    for child in _child_pids(pid):
        try:
            lines.append(Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except FileNotFoundError:
            continue
    return lines


@pytest.mark.parametrize("workers", ["--no-workers", "--workers"])
def test_serve_with_two_web_processes_answers_healthz(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]], workers: str
) -> None:
    port = _free_port()
    serve = _start(
        ["serve", "--web-processes", "2", workers, "--port", str(port)],
        _environment(tmp_path),
        tmp_path,
    )
    processes.append(serve)

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def web_processes() -> list[str]:
        return [c for c in _children(serve.pid) if "spawn_main" in c]

    _eventually(healthy, "/healthz answering")
    _eventually(lambda: len(web_processes()) == 2, "two web processes")
    worker_processes = [c for c in _children(serve.pid) if "coupdemain worker" in c]
    assert len(worker_processes) == (1 if workers == "--workers" else 0)
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json() == {"status": "ok"}
    serve.send_signal(signal.SIGINT)
    assert serve.wait(STARTUP_SECONDS) == 0
