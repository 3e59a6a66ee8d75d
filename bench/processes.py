"""Web apps in child processes, one port each, as several instances behind a load balancer.

The driver spreads its users over the instances' URLs (user i talks to instance i mod N, as a
round-robin balancer would); the instances' CPU time is read from /proc and added up.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppProcesses:
    """`count` child processes, each running `serve(*args, port)` until terminated."""

    def __init__(
        self,
        label: str,
        serve: Callable[..., None],
        args: tuple[Any, ...],
        *,
        count: int = 1,
        start_timeout: float = 180,
    ) -> None:
        self.label = label
        self.ports = [free_port() for _ in range(count)]
        self._timeout = start_timeout
        context = multiprocessing.get_context("spawn")
        self.processes = [
            context.Process(target=serve, args=(*args, port), daemon=True) for port in self.ports
        ]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    @property
    def count(self) -> int:
        return len(self.ports)

    def __enter__(self) -> AppProcesses:
        for process in self.processes:
            process.start()
        deadline = time.monotonic() + self._timeout
        for url, process in zip(self.urls, self.processes, strict=True):
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or not process.is_alive():
                    self.__exit__()
                    raise RuntimeError(f"the {self.label} app at {url} did not start")
                time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(15)
            if process.is_alive():
                process.kill()
                process.join(5)

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of all the instances so far (Linux), else None."""
        total = 0.0
        for process in self.processes:
            try:
                stat = Path(f"/proc/{process.pid}/stat").read_text()
            except OSError:
                return None
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total
