"""The dispatchers' queues of help requests: what waits, what is taken, what is late.

One definition of *late*, used by the console's listing and by the dashboard's figures:
open or offered with its `window_start` passed, or assigned or in progress with its
`window_end` passed. Drafts (requests still being composed in a conversation) are in no queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus

WAITING = (RequestStatus.open, RequestStatus.offered)
TAKEN = (RequestStatus.assigned, RequestStatus.in_progress)


def waiting() -> ColumnElement[bool]:
    """No helper yet: open, or offered to helpers who have not answered."""
    return HelpRequest.status.in_(WAITING)


def taken() -> ColumnElement[bool]:
    """A helper has the job and has not finished it."""
    return HelpRequest.status.in_(TAKEN)


def late(now: datetime) -> ColumnElement[bool]:
    """Still waiting when it should have started, or not done when it should have ended."""
    return or_(
        and_(waiting(), HelpRequest.window_start < now),
        and_(taken(), HelpRequest.window_end < now),
    )


class Queue(StrEnum):
    todo = "todo"  # what needs a dispatcher first: waiting, or flagged
    open = "open"
    offered = "offered"
    assigned = "assigned"  # assigned or in progress
    late = "late"
    flagged = "flagged"
    all = "all"


DEFAULT_QUEUE = Queue.todo


def in_queue(queue: Queue, now: datetime) -> ColumnElement[bool]:
    flagged = HelpRequest.needs_dispatcher.is_(True)
    condition: ColumnElement[bool] = {
        Queue.todo: or_(waiting(), flagged),
        Queue.open: HelpRequest.status == RequestStatus.open,
        Queue.offered: HelpRequest.status == RequestStatus.offered,
        Queue.assigned: taken(),
        Queue.late: late(now),
        Queue.flagged: flagged,
        Queue.all: true(),
    }[queue]
    return and_(HelpRequest.status != RequestStatus.draft, condition)


def queue_counts(session: Session, now: datetime) -> dict[Queue, int]:
    """How many requests each queue holds, in one query."""
    columns = [
        func.coalesce(func.sum(case((in_queue(q, now), 1), else_=0)), 0).label(q.value)
        for q in Queue
    ]
    row = session.execute(select(*columns).select_from(HelpRequest)).one()
    return {q: int(row[i]) for i, q in enumerate(Queue)}


@dataclass(frozen=True)
class QueueRow:
    request: HelpRequest
    requester_name: str
    helper_name: str | None
    late: bool


def list_queue(
    session: Session, queue: Queue, now: datetime, *, limit: int, offset: int = 0
) -> tuple[list[QueueRow], int]:
    """One page of a queue, flagged requests first, then the newest; and the queue's size."""
    requester, helper = aliased(Person), aliased(Person)
    condition = in_queue(queue, now)
    total = session.scalar(select(func.count()).select_from(HelpRequest).where(condition)) or 0
    stmt = (
        select(
            HelpRequest,
            requester.display_name,
            helper.display_name,
            case((late(now), true()), else_=false()),
        )
        .join(requester, requester.id == HelpRequest.requester_id)
        .outerjoin(helper, helper.id == HelpRequest.helper_id)
        .where(condition)
        .order_by(
            HelpRequest.needs_dispatcher.desc(),
            HelpRequest.created_at.desc(),
            HelpRequest.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    rows = [
        QueueRow(request, requester_name, helper_name, bool(is_late))
        for request, requester_name, helper_name, is_late in session.execute(stmt)
    ]
    return rows, total
