"""The right to erasure (GDPR art. 17): a person's data removed or made anonymous.

What goes: name (the row becomes "Personne effacée #ID"), login and password, sessions,
phone numbers and Telegram ids, addresses (deleted, or blanked when a past request still
points at one), helper profile, the vouches and postcards about their home, what they wrote
(request details and places, rating comments, reports, listings, vouch notes, notes on their
requests), their conversations' transcripts and state (and the dispatchers' corrections of
the intent model made on their messages), and the payloads of the messages
addressed to them. A final sweep (`Scrubber`) replaces their name, numbers and street
wherever someone else typed them.

What changes on the way out, through the usual paths: their requests still under way are
cancelled (the helpers are told, as for any cancellation); a job they were to do as a helper
goes back to a dispatcher; offers to them are withdrawn; messages still waiting to reach them
are cancelled. They can no longer log in, be matched or be assigned.

What stays, anonymous, so that counts and stats still add up: the person row (its id), their
requests and offers (statuses, times, services), ratings' stars, reports' existence,
conversations' rows, call-back tasks (closed, without number or words), and every ledger
account and entry (the books stay balanced; the accounts belong to the anonymous row).
Erasing twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from backend.auth.models import AuthToken
from backend.callbacks.models import CallbackStatus, CallbackTask
from backend.calls.follow_up import FOLLOW_UP_JOB
from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow
from backend.dispatch.lifecycle import cancel_request
from backend.dispatch.models import Offer, OfferStatus
from backend.dispatch.reassignment import release
from backend.jobs.models import Job, JobStatus
from backend.listings.models import Listing, ListingStatus
from backend.nlu_corrections.service import forget_messages
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.people.models import (
    ContactKind,
    Person,
    PersonRole,
    PersonStatus,
    PostcardCode,
)
from backend.people.service import get_person
from backend.privacy.scrub import Scrubber, phone_terms
from backend.requests.models import ACTIVE_STATUSES, HelpRequest, RequestEvent, RequestStatus
from backend.requests.service import flag_for_dispatcher
from backend.trust.models import Rating, Report, Vouch

HELPER_GONE = "l'aidant·e a fait effacer ses données : confier l'aide à quelqu'un d'autre"


def erased_name(person_id: int) -> str:
    return f"Personne effacée #{person_id}"


@dataclass
class ErasureReport:
    person_id: int
    already_erased: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.already_erased:
            return [f"person {self.person_id} was already erased"]
        return [f"{what}: {n}" for what, n in self.counts.items() if n]


def erase_person(session: Session, person_id: int, *, now: datetime | None = None) -> ErasureReport:
    """Erase one person (raises NotFound for an unknown id); the caller commits."""
    now = now or utcnow()
    person = get_person(session, person_id)
    report = ErasureReport(person.id)
    if person.status == PersonStatus.erased:
        report.already_erased = True
        return report
    counts = report.counts
    scrubber = _scrubber_for(person)
    contact_values = [c.value for c in person.contacts]
    # Unreachable from here on: nothing the cancellations below send can go to them.
    counts["contact points"] = len(person.contacts)
    person.contacts.clear()
    session.flush()

    counts["requests cancelled"] = _cancel_own_requests(session, person)
    counts["follow-up calls cancelled"] = _cancel_follow_ups(session, person)
    counts["jobs given back"] = _give_back_jobs(session, person)
    counts["offers withdrawn"] = _count(
        session,
        update(Offer)
        .where(Offer.helper_id == person.id, Offer.status == OfferStatus.pending)
        .values(status=OfferStatus.withdrawn, responded_at=now),
    )
    to_them = or_(OutboxMessage.person_id == person.id, OutboxMessage.address.in_(contact_values))
    counts["messages to them cancelled"] = _count(
        session,
        update(OutboxMessage)
        .where(to_them, OutboxMessage.status == OutboxStatus.pending)
        .values(status=OutboxStatus.cancelled, last_error="recipient erased"),
    )
    counts["messages to them blanked"] = _count(
        session,
        update(OutboxMessage).where(to_them).values(payload={}, address="", last_error=""),
    )
    counts["call-backs closed"] = _count(
        session,
        update(CallbackTask)
        .where(
            or_(CallbackTask.person_id == person.id, CallbackTask.phone.in_(contact_values)),
            CallbackTask.status == CallbackStatus.open,
        )
        .values(status=CallbackStatus.cancelled, done_at=now),
    )
    _count(
        session,
        update(CallbackTask)
        .where(or_(CallbackTask.person_id == person.id, CallbackTask.phone.in_(contact_values)))
        .values(phone="", last_words="", note=""),
    )
    counts["conversations emptied"] = _empty_conversations(session, person, contact_values)
    counts["requests anonymised"] = _anonymise_requests(session, person)
    counts["ratings comments removed"] = _count(
        session, update(Rating).where(Rating.rater_id == person.id).values(comment="")
    )
    counts["reports removed text"] = _count(
        session, update(Report).where(Report.reporter_id == person.id).values(text="")
    )
    counts["listings removed"] = _count(
        session,
        update(Listing)
        .where(Listing.author_id == person.id)
        .values(title="Annonce effacée", body="", lat=None, lon=None, status=ListingStatus.closed),
    )
    counts["vouches for them removed"] = _count(
        session, delete(Vouch).where(Vouch.person_id == person.id)
    )
    _count(session, update(Vouch).where(Vouch.voucher_id == person.id).values(note=""))
    counts["addresses removed"] = _remove_addresses(session, person)
    if person.helper_profile is not None:
        counts["helper profile removed"] = 1
        person.helper_profile = None
    counts["sessions ended"] = _count(
        session, delete(AuthToken).where(AuthToken.person_id == person.id)
    )
    session.execute(delete(PersonRole).where(PersonRole.person_id == person.id))
    person.display_name = erased_name(person.id)
    person.login = person.password_hash = None
    person.status = PersonStatus.erased
    session.flush()
    counts["other mentions scrubbed"] = scrubber.scrub(session)
    session.flush()
    session.expire_all()
    return report


def _scrubber_for(person: Person) -> Scrubber:
    terms = [person.display_name]
    if person.login:
        terms.append(person.login)
    for contact in person.contacts:
        if contact.kind == ContactKind.phone:
            terms.extend(phone_terms(contact.value))
        else:
            terms.append(contact.value)
    for address in person.addresses:
        terms.extend([address.street, address.one_line()])
    names = person.display_name.split()
    return Scrubber(terms, exact_values=names)


def _count(session: Session, statement: object) -> int:
    result = session.execute(
        statement.execution_options(synchronize_session=False)  # type: ignore[attr-defined]
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _cancel_own_requests(session: Session, person: Person) -> int:
    """Their requests still under way: cancelled as they would cancel them themselves."""
    ids = list(
        session.scalars(
            select(HelpRequest.id).where(
                HelpRequest.requester_id == person.id,
                HelpRequest.status.in_([*ACTIVE_STATUSES, RequestStatus.draft]),
            )
        )
    )
    # Their words never reach the helpers in the cancellation message.
    session.execute(
        update(HelpRequest)
        .where(HelpRequest.id.in_(ids))
        .values(details="", place_text="")
        .execution_options(synchronize_session=False)
    )
    for request_id in ids:
        cancel_request(session, request_id, person.id)
    return len(ids)


def _cancel_follow_ups(session: Session, person: Person) -> int:
    """The care call after a job rings the requester: not them any more."""
    own = set(session.scalars(select(HelpRequest.id).where(HelpRequest.requester_id == person.id)))
    pending = session.scalars(
        select(Job).where(Job.kind == FOLLOW_UP_JOB, Job.status == JobStatus.pending)
    )
    cancelled = 0
    for job in pending:
        if job.payload.get("request_id") in own:
            job.status = JobStatus.cancelled
            cancelled += 1
    return cancelled


def _give_back_jobs(session: Session, person: Person) -> int:
    """Jobs they were to do: open again (if not started) and flagged for a dispatcher."""
    jobs = list(
        session.scalars(
            select(HelpRequest).where(
                HelpRequest.helper_id == person.id,
                HelpRequest.status.in_([RequestStatus.assigned, RequestStatus.in_progress]),
            )
        )
    )
    for request in jobs:
        if request.status == RequestStatus.assigned:
            release(session, request, person.id)
        flag_for_dispatcher(session, request, HELPER_GONE)
    return len(jobs)


def _empty_conversations(session: Session, person: Person, contact_values: list[str]) -> int:
    """Transcripts deleted, state forgotten; the rows stay (counts), under a dead address."""
    conversations = list(
        session.scalars(
            select(Conversation).where(
                or_(Conversation.person_id == person.id, Conversation.address.in_(contact_values))
            )
        )
    )
    for conversation in conversations:
        # Their words kept as training examples go with the transcript they came from.
        forget_messages(
            session,
            select(ConversationMessage.id)
            .where(ConversationMessage.conversation_id == conversation.id)
            .scalar_subquery(),
        )
        session.execute(
            delete(ConversationMessage).where(
                ConversationMessage.conversation_id == conversation.id
            )
        )
        conversation.person_id = person.id
        conversation.address = f"erased:{conversation.id}"
        conversation.state, conversation.flags = {}, []
        conversation.flow = conversation.step = None
        conversation.handled_by, conversation.dispatcher_id = "bot", None
    return len(conversations)


def _anonymise_requests(session: Session, person: Person) -> int:
    own = select(HelpRequest.id).where(HelpRequest.requester_id == person.id).scalar_subquery()
    _count(
        session,
        update(RequestEvent)
        .where(or_(RequestEvent.request_id.in_(own), RequestEvent.actor_id == person.id))
        .values(note=""),
    )
    return _count(
        session,
        update(HelpRequest)
        .where(HelpRequest.requester_id == person.id)
        .values(details="", place_text="", lat=None, lon=None, flag_reason=""),
    )


def _remove_addresses(session: Session, person: Person) -> int:
    """Deleted, unless a past request still points at one: then emptied but for the
    neighbourhood (the stats' level of detail)."""
    removed = 0
    for address in list(person.addresses):
        session.execute(delete(PostcardCode).where(PostcardCode.address_id == address.id))
        session.execute(delete(Vouch).where(Vouch.address_id == address.id))
        used = session.scalar(select(HelpRequest.id).where(HelpRequest.address_id == address.id))
        if used is None:
            person.addresses.remove(address)
        else:
            address.street = address.postcode = address.city = ""
            address.lat = address.lon = None
            address.verified_at = None
        removed += 1
    return removed
