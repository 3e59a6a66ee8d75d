"""Background loops for the embedded default: the outbox and jobs workers in the web process.

Leasing (backend/leasing.py) makes several of them safe side by side, so they can also run in
separate processes beside several web instances (a `coupdemain worker` command is still to
be written).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class PollingWorker:
    """Calls `tick()` until stopped; sleeps `interval` seconds when a tick found nothing."""

    def __init__(self, name: str, tick: Callable[[], int], interval: float = 1.0) -> None:
        self.name = name
        self._tick = tick
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        log.info("%s started", self.name)
        while not self._stop.is_set():
            try:
                busy = self._tick()
            except Exception:  # keep the loop alive; the row-level retry is in the tick
                log.exception("%s: tick failed", self.name)
                busy = 0
            if not busy:
                self._stop.wait(self._interval)
        log.info("%s stopped", self.name)
