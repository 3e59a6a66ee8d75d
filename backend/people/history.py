"""What a person has done with us, for the dispatcher reading their file: their latest help
requests (asked for or given), their conversations, the ratings and reports about them.
A few queries, whatever the length of the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from backend.conversations.models import Conversation
from backend.people.models import Person
from backend.requests.models import HelpRequest
from backend.trust.models import Report, ReportStatus
from backend.trust.service import helper_rating_summary

RECENT = 20
RECENT_REPORTS = 10


@dataclass(frozen=True)
class RequestLine:
    id: int
    service: str | None
    status: str
    created_at: datetime
    as_requester: bool  # False: they were the helper
    other_name: str | None  # the helper they got, or the person they helped


@dataclass(frozen=True)
class ConversationLine:
    id: int
    channel: str
    address: str
    handled_by: str
    last_message_at: datetime


@dataclass(frozen=True)
class ReportLine:
    id: int
    kind: str
    status: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class PersonHistory:
    requests: list[RequestLine]
    conversations: list[ConversationLine]
    ratings: int  # ratings received for help given
    mean_stars: float | None
    reports: list[ReportLine]  # about them, newest first
    open_reports: int


def person_history(session: Session, person_id: int, *, limit: int = RECENT) -> PersonHistory:
    ratings, mean = helper_rating_summary(session, [person_id]).get(person_id, (0, None))
    open_reports = session.scalar(
        select(func.count(Report.id)).where(
            Report.about_id == person_id, Report.status == ReportStatus.open
        )
    )
    return PersonHistory(
        requests=_requests(session, person_id, limit),
        conversations=_conversations(session, person_id, limit),
        ratings=ratings,
        mean_stars=mean,
        reports=_reports(session, person_id),
        open_reports=open_reports or 0,
    )


def _requests(session: Session, person_id: int, limit: int) -> list[RequestLine]:
    requester, helper = aliased(Person), aliased(Person)
    rows = session.execute(
        select(
            HelpRequest.id,
            HelpRequest.service,
            HelpRequest.status,
            HelpRequest.created_at,
            HelpRequest.requester_id,
            requester.display_name,
            helper.display_name,
        )
        .join(requester, requester.id == HelpRequest.requester_id)
        .outerjoin(helper, helper.id == HelpRequest.helper_id)
        .where(or_(HelpRequest.requester_id == person_id, HelpRequest.helper_id == person_id))
        .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
        .limit(limit)
    )
    return [
        RequestLine(
            id=id_,
            service=service,
            status=status,
            created_at=created_at,
            as_requester=requester_id == person_id,
            other_name=helper_name if requester_id == person_id else requester_name,
        )
        for id_, service, status, created_at, requester_id, requester_name, helper_name in rows
    ]


def _conversations(session: Session, person_id: int, limit: int) -> list[ConversationLine]:
    rows = session.scalars(
        select(Conversation)
        .where(Conversation.person_id == person_id)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return [
        ConversationLine(c.id, c.channel, c.address, c.handled_by, c.last_message_at) for c in rows
    ]


def _reports(session: Session, person_id: int) -> list[ReportLine]:
    rows = session.scalars(
        select(Report)
        .where(Report.about_id == person_id)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(RECENT_REPORTS)
    )
    return [ReportLine(r.id, r.kind, r.status, r.text, r.created_at) for r in rows]
