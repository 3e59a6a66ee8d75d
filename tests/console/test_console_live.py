from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.auth.models import AuthToken
from backend.db import utcnow
from console.live import sse
from tests.console.console_helpers import log_in, make_staff


def events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs as an EventSource reads them."""
    name, data = "message", []
    for line in lines:
        if line == "":
            if data or name != "message":
                yield name, "\n".join(data)
            name, data = "message", []
        elif line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])


def test_multi_line_fragments_survive_the_event_format() -> None:
    assert (
        sse("update", "<p>a</p>\n<p>b</p>") == "event: update\ndata: <p>a</p>\ndata: <p>b</p>\n\n"
    )
    assert list(events(iter(sse("update", "<p>a</p>\n<p>b</p>").split("\n")))) == [
        ("update", "<p>a</p>\n<p>b</p>")
    ]


def test_the_stream_sends_the_list_then_closes_when_the_session_ends(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "claire")
    log_in(client, "claire")
    client.app.state.console_refresh_seconds = 0.05  # type: ignore[attr-defined]
    with client.stream("GET", "/console/conversations/stream") as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        received = events(reply.iter_lines())
        name, data = next(received)
        assert name == "update" and "Aucune conversation en cours." in data
        session.execute(update(AuthToken).values(revoked_at=utcnow()))  # logged out elsewhere
        session.commit()
        assert next(received) == ("logout", "")
