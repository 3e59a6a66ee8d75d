"""The engine's configuration, handed in by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from backend.dispatch.config import DispatchConfig


@dataclass(frozen=True)
class EngineConfig:
    # How a confirmed request is offered to helpers, and the commission on a paid job that a
    # helper reports done: the same object the REST API and the console are given.
    dispatch: DispatchConfig
    default_language: str = "fr"
    # The hotline's number (TWILIO_NUMBER), said in a message left on an answering machine.
    hotline: str | None = None
    # The phone line can put a caller through to a dispatcher (DISPATCHER_PHONE is set); when
    # it cannot, a caller who asks for a person is owed a call-back (flows/call_back.py).
    transfers: bool = True
