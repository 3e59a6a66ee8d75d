"""Who gets the job: the first valid Accept, or a dispatcher's choice. Exactly one, whatever
the number of simultaneous presses, on SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.dispatch import messages, store
from backend.dispatch.errors import AlreadyTaken
from backend.dispatch.models import Offer, OfferStatus
from backend.dispatch.safety_words import pick_safety_word
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.people.models import Person, PersonStatus, Role
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.service import flag_for_dispatcher, record

TAKEN = (RequestStatus.assigned, RequestStatus.in_progress, RequestStatus.done)


class AcceptOutcome(StrEnum):
    assigned = "assigned"  # you won: the details are on their way
    already_yours = "already_yours"  # you had already accepted (a second press)
    already_taken = "already_taken"  # someone else was first
    expired = "expired"  # your offer ran out of time
    no_longer_needed = "no_longer_needed"  # the request was cancelled


ACCEPT_TEXT: dict[AcceptOutcome, tuple[str, str]] = {
    AcceptOutcome.assigned: (
        "Merci ! La mission est pour vous, les détails arrivent.",
        "Thank you! The job is yours; details are on their way.",
    ),
    AcceptOutcome.already_yours: (
        "Vous avez déjà cette mission, c'est noté.",
        "You already have this job.",
    ),
    AcceptOutcome.already_taken: (
        "Merci ! Quelqu'un d'autre a été plus rapide, la demande est déjà prise.",
        "Thanks! Someone else was quicker: this job is already taken.",
    ),
    AcceptOutcome.expired: (
        "Désolé, cette proposition a expiré.",
        "Sorry, this offer has expired.",
    ),
    AcceptOutcome.no_longer_needed: (
        "Merci ! Cette demande n'a plus besoin d'aide.",
        "Thanks! This request no longer needs help.",
    ),
}


@dataclass(frozen=True)
class AcceptResult:
    outcome: AcceptOutcome
    request_id: int
    offer_id: int

    @property
    def won(self) -> bool:
        return self.outcome in (AcceptOutcome.assigned, AcceptOutcome.already_yours)

    def text(self, language: str = "fr") -> str:
        fr, en = ACCEPT_TEXT[self.outcome]
        return fr if language == "fr" else en


def accept_offer(session: Session, offer_id: int, helper_id: int, now: datetime) -> AcceptResult:
    """The first valid Accept wins; every later one gets a clear answer, never an error.

    The decision is one conditional UPDATE (`WHERE status = 'offered'`): on PostgreSQL a
    concurrent accept waits for the row lock and then finds the status changed; on SQLite
    transactions are serialised. The offer itself must still be pending when we hold the
    request (a round may have moved on meanwhile): otherwise the savepoint is rolled back.
    """
    offer = store.fresh_offer(session, offer_id)
    if offer.helper_id != helper_id:
        raise Forbidden("this offer was made to someone else")
    if offer.status != OfferStatus.pending or offer.expires_at <= now:
        return _late(session, offer, helper_id)
    word = pick_safety_word()
    savepoint = session.begin_nested()
    won = store.rows_changed(
        session,
        update(HelpRequest)
        .where(HelpRequest.id == offer.request_id, HelpRequest.status == RequestStatus.offered)
        .values(
            status=RequestStatus.assigned,
            helper_id=helper_id,
            assigned_at=now,
            updated_at=now,
            safety_word=word,
        )
        .execution_options(synchronize_session=False),
    )
    if won == 1:
        won = store.rows_changed(
            session,
            update(Offer)
            .where(Offer.id == offer_id, Offer.status == OfferStatus.pending)
            .values(status=OfferStatus.accepted, responded_at=now)
            .execution_options(synchronize_session=False),
        )
    if won != 1:
        savepoint.rollback()
        return _late(session, offer, helper_id)
    savepoint.commit()
    request = store.lock_request(session, offer.request_id)
    store.fresh_offer(session, offer_id)
    record(
        session,
        request,
        "status",
        from_status=RequestStatus.offered,
        to_status=RequestStatus.assigned,
        actor_id=helper_id,
        note=f"offer {offer_id} accepted",
    )
    _hand_over(session, request, helper_id, withdraw_reason="taken")
    return AcceptResult(AcceptOutcome.assigned, request.id, offer_id)


def _late(session: Session, offer: Offer, helper_id: int) -> AcceptResult:
    """Why this accept cannot win, read fresh (after the winner's commit)."""
    status, holder = session.execute(
        select(HelpRequest.status, HelpRequest.helper_id).where(HelpRequest.id == offer.request_id)
    ).one()
    if status in TAKEN:
        outcome = (
            AcceptOutcome.already_yours if holder == helper_id else AcceptOutcome.already_taken
        )
    elif status in (RequestStatus.cancelled, RequestStatus.expired):
        outcome = AcceptOutcome.no_longer_needed
    else:
        outcome = AcceptOutcome.expired
    return AcceptResult(outcome, offer.request_id, offer.id)


def assign_by_hand(
    session: Session,
    request_id: int,
    helper_id: int,
    dispatcher_id: int,
    now: datetime | None = None,
) -> HelpRequest:
    """A dispatcher gives the job to a helper of their choice; pending offers are withdrawn."""
    now = now or utcnow()
    request = store.lock_request(session, request_id)
    assignable_helper(session, request, helper_id)
    word = pick_safety_word()
    won = store.rows_changed(
        session,
        update(HelpRequest)
        .where(
            HelpRequest.id == request_id,
            HelpRequest.status.in_((RequestStatus.open, RequestStatus.offered)),
        )
        .values(
            status=RequestStatus.assigned,
            helper_id=helper_id,
            assigned_at=now,
            updated_at=now,
            safety_word=word,
            needs_dispatcher=False,
            flag_reason="",
        )
        .execution_options(synchronize_session=False),
    )
    if won != 1:
        if request.status in TAKEN:
            raise AlreadyTaken("this request already has a helper", helper_id=request.helper_id)
        raise Conflict(f"a request that is {request.status} cannot be assigned")
    from_status = request.status
    request = store.lock_request(session, request_id)
    offer = session.scalar(
        select(Offer).where(Offer.request_id == request_id, Offer.helper_id == helper_id)
    )
    if offer is None:
        offer = Offer(
            request_id=request_id,
            helper_id=helper_id,
            round=store.last_round(session, request_id),
            rank=0,
            score=0.0,
            explanation={"assigned_by": dispatcher_id},
            created_at=now,
            expires_at=now,
        )
        session.add(offer)
    offer.status, offer.responded_at = OfferStatus.accepted, now
    record(
        session,
        request,
        "status",
        from_status=from_status,
        to_status=RequestStatus.assigned,
        actor_id=dispatcher_id,
        note=f"assigned by hand to helper {helper_id}",
    )
    _hand_over(session, request, helper_id, withdraw_reason="assigned")
    return request


def assignable_helper(session: Session, request: HelpRequest, helper_id: int) -> Person:
    """The helper a dispatcher chose, if they may be given this request; else refused."""
    helper = session.get(Person, helper_id)
    if helper is None:
        raise NotFound(f"person {helper_id} not found")
    if helper.id == request.requester_id:
        raise InvalidInput("a requester cannot be their own helper")
    if helper.status == PersonStatus.suspended:
        raise InvalidInput(f"{helper.display_name} is suspended")
    profile = helper.helper_profile
    if profile is None or not helper.has_role(Role.helper):
        raise InvalidInput(f"{helper.display_name} is not a helper")
    if not profile.active:
        raise InvalidInput(f"{helper.display_name} is not active as a helper")
    return helper


def withdraw_pending(session: Session, request: HelpRequest, reason: str) -> None:
    """Every offer still awaiting an answer is withdrawn, and its helper told why."""
    for offer in store.pending_offers(session, request.id):
        offer.status = OfferStatus.withdrawn
        helper = session.get(Person, offer.helper_id)
        if helper is not None:
            messages.send_withdrawn(session, request, offer, helper, reason)


def _hand_over(
    session: Session, request: HelpRequest, helper_id: int, withdraw_reason: str
) -> None:
    """After the win: the others are told, the timers stop, and helper and requester each
    get what they now need (address and phone; first name and safety word)."""
    withdraw_pending(session, request, withdraw_reason)
    store.cancel_round_timers(session, request.id)
    helper = session.get(Person, helper_id)
    requester = session.get(Person, request.requester_id)
    assert helper is not None and requester is not None  # foreign keys
    if not messages.send_assignment(session, request, helper, requester):
        # Someone must tell a requester we cannot write to which word to expect.
        flag_for_dispatcher(
            session, request, "the requester cannot be reached: tell them the safety word"
        )
