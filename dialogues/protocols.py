"""What channel adapters may rely on: the engine's entry point and notification rendering."""

from __future__ import annotations

from typing import Any, Protocol

from dialogues.messages import Incoming, Outgoing, TurnResult


class ConversationEngine(Protocol):
    def handle(self, incoming: Incoming) -> TurnResult:
        """Advance the conversation of `incoming`'s channel and address by one turn."""
        ...


class NotificationRenderer(Protocol):
    def __call__(self, kind: str, payload: dict[str, Any], language: str) -> list[Outgoing]:
        """Turn an outbox row (kind + structured payload) into replies in the person's language."""
        ...
