"""Care after the job: a call to the requester a little while after a job is done.

`schedule_follow_up` leaves a timer (a `jobs` row, kind `follow_up_call`) for a moment within
calling hours; when it is due, `follow_up_job` writes a `voice_call` outbox message of kind
`follow_up` to the requester's phone, unless they have rated the job meanwhile (by SMS or
Telegram) or have no phone (then a dispatcher is asked). The call itself, and what happens
when nobody answers, belong to the phone line (bots/voice, dialogues/flows/follow_up.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.jobs.models import Job
from backend.jobs.service import schedule
from backend.outbox.service import enqueue
from backend.people.models import ContactKind, Person
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.service import flag_for_dispatcher
from backend.trust.models import Rating

FOLLOW_UP_JOB = "follow_up_call"
FOLLOW_UP_DELAY = timedelta(hours=2)
LOCAL = ZoneInfo("Europe/Paris")
CALLING_HOURS = (time(10, 0), time(19, 0))  # nobody is rung early in the morning or at night


def within_calling_hours(moment: datetime) -> datetime:
    """`moment`, or the next opening of calling hours (local time) after it."""
    local = moment.astimezone(LOCAL)
    opening, closing = CALLING_HOURS
    if local.time() < opening:
        local = local.replace(hour=opening.hour, minute=opening.minute, second=0, microsecond=0)
    elif local.time() >= closing:
        local = (local + timedelta(days=1)).replace(
            hour=opening.hour, minute=opening.minute, second=0, microsecond=0
        )
    return local.astimezone(moment.tzinfo)


def schedule_follow_up(
    session: Session, request_id: int, now: datetime, *, delay: timedelta = FOLLOW_UP_DELAY
) -> Job:
    """The follow-up timer of a done job, once (a second call returns the first timer)."""
    return schedule(
        session,
        FOLLOW_UP_JOB,
        {"request_id": request_id},
        run_at=within_calling_hours(now + delay),
        dedupe_key=f"{FOLLOW_UP_JOB}:{request_id}",
    )


def follow_up_job(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """The jobs worker's handler for `follow_up_call`."""
    request = session.get(HelpRequest, int(payload["request_id"]))
    if request is None or request.status != RequestStatus.done or request.helper_id is None:
        return
    rated = session.scalar(
        select(Rating.id).where(
            Rating.request_id == request.id, Rating.rater_id == request.requester_id
        )
    )
    if rated is not None:
        return  # they told us already (a low mark has reached a dispatcher by its report)
    requester = session.get_one(Person, request.requester_id)
    helper = session.get_one(Person, request.helper_id)
    phone = requester.contact(ContactKind.phone)
    if not phone:
        flag_for_dispatcher(session, request, "suivi après l'aide : pas de téléphone pour appeler")
        return
    enqueue(
        session,
        channel="voice_call",
        address=phone,
        kind="follow_up",
        payload={
            "request_id": request.id,
            "service": request.service,
            "helper_first_name": helper.display_name.split()[0] if helper.display_name else "",
            "language": requester.language,
        },
        person_id=requester.id,
        dedupe_key=f"follow_up:{request.id}",
    )
