"""Background loops: the outbox and jobs workers, in the web process (the embedded default)
or in a process of their own (`coupdemain worker`).

Per-row leases (backend/leasing.py) make any number of them safe side by side.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class PollingWorker:
    """Calls `tick()` until stopped; sleeps `interval` seconds when a tick found nothing.

    A tick is asked to stop between rows through `stopping` (a shutdown finishes the row in
    hand, then the loop ends).
    """

    def __init__(
        self, name: str, tick: Callable[[PollingWorker], int], interval: float = 1.0
    ) -> None:
        self.name = name
        self._tick = tick
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def stopping(self) -> bool:
        return self._stop.is_set()

    def tick(self) -> int:
        """One pass; how much it did (0: idle, the loop sleeps `interval` before the next)."""
        return self._tick(self)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the loop to end after the row in hand (see `join`)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the loop to end; False if it is still running after `timeout`."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self.request_stop()
        self.join(timeout)

    def _run(self) -> None:
        log.info("%s started", self.name)
        while not self._stop.is_set():
            try:
                busy = self.tick()
            except Exception:  # keep the loop alive; the row-level retry is in the tick
                log.exception("%s: tick failed", self.name)
                busy = 0
            if not busy:
                self._stop.wait(self._interval)
        log.info("%s stopped", self.name)
