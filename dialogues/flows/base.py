"""What every flow is: a name, a way to start, a way to take the next answer."""

from __future__ import annotations

from typing import Any, Protocol

from dialogues.turn import Turn


class Flow(Protocol):
    name: str

    def start(self, turn: Turn, **context: Any) -> None:
        """Begin the flow (possibly with what the first message already said)."""
        ...

    def handle(self, turn: Turn) -> None:
        """Take the answer to the flow's current question."""
        ...
