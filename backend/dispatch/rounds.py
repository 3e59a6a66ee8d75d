"""Offering a job in rounds: the best few helpers at a time; when a round runs out (everyone
declined, or time is up) the next best; nobody left: a dispatcher is asked to step in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend.dispatch import messages, store
from backend.dispatch.models import Offer, OfferStatus
from backend.dispatch.policy import DispatchPolicy
from backend.errors import Conflict, Forbidden
from backend.matching.service import rank_helpers
from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.service import flag_for_dispatcher, record, transition

NOBODY_AVAILABLE = "nobody available"


def start_dispatch(
    session: Session, request: HelpRequest, policy: DispatchPolicy, now: datetime
) -> list[Offer]:
    """Offer an open request to the best few helpers. Returns the offers made (none: the
    request stays open and is flagged for a dispatcher)."""
    request = store.lock_request(session, request.id)
    if request.status != RequestStatus.open:
        raise Conflict(
            f"only an open request can be offered to helpers; this one is {request.status}",
            status=request.status,
        )
    round_no = store.last_round(session, request.id) + 1
    offers = _offer_round(session, request, policy, now, round_no, first_round=round_no)
    if not offers:
        _give_up(session, request)
        return []
    transition(session, request, RequestStatus.offered, note=f"round {round_no}")
    return offers


def expire_offers(
    session: Session,
    request_id: int,
    now: datetime,
    *,
    policy: DispatchPolicy,
    round_no: int | None = None,
) -> None:
    """The timer of a round: offers past their time expire; if nobody is left waiting to
    answer, the next round starts. Safe to run late, twice, or after an accept."""
    request = store.lock_request(session, request_id)
    if request.status != RequestStatus.offered:
        return  # taken, cancelled or already given up: nothing to do
    current = store.last_round(session, request_id)
    if round_no is not None and round_no < current:
        return  # a later round is already running (everyone declined early)
    still_waiting = False
    for offer in store.pending_offers(session, request_id):
        if offer.expires_at <= now:
            offer.status = OfferStatus.expired
        else:
            still_waiting = True
    if still_waiting:
        return
    settings, first_round = store.round_settings(session, request_id, current, policy)
    _next_round(session, request, settings, now, current, first_round)


def decline_offer(
    session: Session, offer_id: int, helper_id: int, now: datetime, policy: DispatchPolicy
) -> Offer:
    """ "No thanks": recorded, and when that was the last answer awaited in the round, the next
    helpers are asked at once rather than when the round's time is up (ranked by `policy`'s
    weights; the numbers of rounds and offers are those the first round started with)."""
    request_id = _request_of(session, offer_id, helper_id)
    request = store.lock_request(session, request_id)
    offer = store.fresh_offer(session, offer_id)
    if offer.status == OfferStatus.accepted:
        raise Conflict("you accepted this job; ask a dispatcher if you can no longer do it")
    if offer.status != OfferStatus.pending:
        return offer  # already declined, expired or withdrawn: nothing more to say
    offer.status, offer.responded_at = OfferStatus.declined, now
    record(session, request, "offer", actor_id=helper_id, note=f"offer {offer.id} declined")
    if request.status == RequestStatus.offered and not store.pending_offers(session, request_id):
        settings, first_round = store.round_settings(session, request_id, offer.round, policy)
        _next_round(session, request, settings, now, offer.round, first_round)
    return offer


def _request_of(session: Session, offer_id: int, helper_id: int) -> int:
    offer = store.fresh_offer(session, offer_id)
    if offer.helper_id != helper_id:
        raise Forbidden("this offer was made to someone else")
    return offer.request_id


def _next_round(
    session: Session,
    request: HelpRequest,
    policy: DispatchPolicy,
    now: datetime,
    current: int,
    first_round: int,
) -> None:
    store.cancel_round_timers(session, request.id)
    if current - first_round + 1 < policy.max_rounds and _offer_round(
        session, request, policy, now, current + 1, first_round
    ):
        return
    transition(session, request, RequestStatus.open, note=f"no helper after round {current}")
    _give_up(session, request)


def _give_up(session: Session, request: HelpRequest) -> None:
    flag_for_dispatcher(session, request, NOBODY_AVAILABLE)


def _offer_round(
    session: Session,
    request: HelpRequest,
    policy: DispatchPolicy,
    now: datetime,
    round_no: int,
    first_round: int,
) -> list[Offer]:
    """Offers to the best helpers not asked yet who can be reached, and the round's timer."""
    asked = store.asked_helpers(session, request.id)
    # A few spare candidates: a helper with no phone nor Telegram cannot hear an offer.
    ranked = rank_helpers(
        session,
        request,
        limit=2 * policy.offers_per_round + 3,
        weights=policy.weights,
        now=now,
        exclude=asked,
    )
    expires_at = now + policy.offer_ttl
    offers: list[Offer] = []
    for candidate in ranked:
        if len(offers) == policy.offers_per_round:
            break
        helper = session.get(Person, candidate.helper_id)
        if helper is None or messages.reach(helper) is None:
            continue
        offer = Offer(
            request_id=request.id,
            helper_id=helper.id,
            round=round_no,
            rank=len(offers) + 1,
            score=candidate.score,
            explanation=candidate.explanation(),
            status=OfferStatus.pending,
            created_at=now,
            expires_at=expires_at,
        )
        session.add(offer)
        session.flush()
        messages.send_offer(session, request, offer, helper, candidate.distance_km)
        offers.append(offer)
    if offers:
        names = ", ".join(str(o.helper_id) for o in offers)
        record(session, request, "offer", note=f"round {round_no}: offered to helpers {names}")
        store.schedule_round_expiry(
            session, request.id, round_no, first_round, policy, run_at=expires_at
        )
    return offers
