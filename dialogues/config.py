"""The engine's configuration, handed in by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EngineConfig:
    default_language: str = "fr"
    commission_bps: int = 1000
    # Passed to backend.dispatch when a request is confirmed (offers per round, timeouts...).
    dispatch_policy: Any = None
