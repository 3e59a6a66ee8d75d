"""Messages to other people go through the outbox, on the channel they use."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backend.dispatch.messages import reach
from backend.outbox.models import OutboxMessage
from backend.outbox.service import enqueue
from backend.people.models import Person


def notify_person(
    session: Session,
    person: Person,
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None,
) -> OutboxMessage | None:
    route = reach(person)
    if route is None:
        return None
    channel, address = route
    return enqueue(
        session,
        channel=channel,
        address=address,
        kind=kind,
        payload={"language": person.language, **payload},
        person_id=person.id,
        dedupe_key=dedupe_key,
    )
