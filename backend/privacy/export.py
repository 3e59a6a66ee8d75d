"""The right of access (GDPR art. 15): everything we hold on one person, as plain data.

`export_person` returns a JSON-ready dict: identity and roles, contact points, addresses
(with the postcards mailed there, without their codes), helper profile, the requests they
made (with their history) and the jobs they did as a helper, the offers they received,
their conversations with every message, ratings given and received, reports made and about
them, vouches, listings, the messages we sent or queued for them, their ledger accounts with
every statement line, and their login sessions. Secrets are never exported (password and
token hashes, postcard code hashes).

Other people appear only by their id, never by name, phone or address: a job done for
someone says what and when, not where nor for whom. There is no separate consent record:
consent is given on each channel by using it (a conversation's first message), listed under
`conversations`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.auth.models import AuthToken
from backend.conversations.models import Conversation, ConversationMessage
from backend.db import Base, utcnow
from backend.dispatch.models import Offer
from backend.ledger.models import Account
from backend.ledger.statements import person_statement
from backend.listings.models import Listing
from backend.outbox.models import OutboxMessage
from backend.people.models import PostcardCode
from backend.people.service import get_person
from backend.requests.models import HelpRequest
from backend.trust.models import Rating, Report, Vouch

FORMAT_VERSION = 1
NEVER_EXPORTED = frozenset({"password_hash", "token_hash", "code_hash", "request_hash"})
# A job done for someone else: what and when, not their words, place or safety word.
HELPER_VIEW = (
    "id",
    "service",
    "status",
    "pay_mode",
    "price_cents",
    "duration_minutes",
    "window_start",
    "window_end",
    "created_at",
    "assigned_at",
    "completed_at",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def row(obj: Base, *, only: tuple[str, ...] | None = None, drop: tuple[str, ...] = ()) -> dict:
    """The columns of an ORM row, secrets left out."""
    names = only or tuple(c.key for c in obj.__mapper__.column_attrs)
    return {
        name: _plain(getattr(obj, name))
        for name in names
        if name not in NEVER_EXPORTED and name not in drop
    }


def _all(session: Session, stmt: Any) -> list[Any]:
    return list(session.scalars(stmt))


def export_person(session: Session, person_id: int, *, now: datetime | None = None) -> dict:
    """Everything held on the person; raises NotFound for an unknown id."""
    person = get_person(session, person_id)
    pid = person.id
    addresses = person.addresses
    address_ids = [a.id for a in addresses]
    contact_values = [c.value for c in person.contacts]
    conversations = _all(
        session,
        select(Conversation)
        .where(
            or_(
                Conversation.person_id == pid,
                Conversation.address.in_(contact_values) & Conversation.person_id.is_(None),
            )
        )
        .order_by(Conversation.id),
    )
    requests_made = _all(
        session, select(HelpRequest).where(HelpRequest.requester_id == pid).order_by(HelpRequest.id)
    )
    profile = person.helper_profile
    return {
        "format": FORMAT_VERSION,
        "exported_at": _plain(now or utcnow()),
        "person": row(person) | {"roles": sorted(person.role_names)},
        "contacts": [row(c, drop=("person_id",)) for c in person.contacts],
        "addresses": [
            row(a, drop=("person_id",))
            | {
                "postcards": [
                    row(p, drop=("address_id", "issued_by_id"))
                    for p in _all(
                        session, select(PostcardCode).where(PostcardCode.address_id == a.id)
                    )
                ]
            }
            for a in addresses
        ],
        "helper_profile": None
        if profile is None
        else row(profile, drop=("person_id",))
        | {
            "services": profile.service_ids,
            "availability": [
                row(s, only=("weekday", "start_minute", "end_minute")) for s in profile.availability
            ],
        },
        "requests_made": [
            row(r) | {"events": [row(e, drop=("request_id",)) for e in r.events]}
            for r in requests_made
        ],
        "jobs_as_helper": [
            row(r, only=HELPER_VIEW)
            for r in _all(
                session,
                select(HelpRequest).where(HelpRequest.helper_id == pid).order_by(HelpRequest.id),
            )
        ],
        "offers_received": [
            row(o, drop=("helper_id", "explanation"))
            for o in _all(session, select(Offer).where(Offer.helper_id == pid).order_by(Offer.id))
        ],
        "conversations": [
            row(c)
            | {
                "messages": [
                    row(m, drop=("conversation_id",))
                    for m in _all(
                        session,
                        select(ConversationMessage)
                        .where(ConversationMessage.conversation_id == c.id)
                        .order_by(ConversationMessage.id),
                    )
                ]
            }
            for c in conversations
        ],
        "ratings_given": [
            row(r) for r in _all(session, select(Rating).where(Rating.rater_id == pid))
        ],
        "ratings_received": [
            row(r) for r in _all(session, select(Rating).where(Rating.ratee_id == pid))
        ],
        "reports_made": [
            row(r) for r in _all(session, select(Report).where(Report.reporter_id == pid))
        ],
        "reports_about": [
            row(r, drop=("resolution",))
            for r in _all(session, select(Report).where(Report.about_id == pid))
        ],
        "vouches_received": [
            row(v, drop=("note",))
            for v in _all(
                session,
                select(Vouch).where(or_(Vouch.person_id == pid, Vouch.address_id.in_(address_ids))),
            )
        ],
        "vouches_given": [
            row(v, drop=("address_id",))
            for v in _all(session, select(Vouch).where(Vouch.voucher_id == pid))
        ],
        "listings": [
            row(x) for x in _all(session, select(Listing).where(Listing.author_id == pid))
        ],
        "messages_sent_to_them": [
            row(m, drop=("last_error", "provider_id", "dedupe_key", "locked_until", "payload"))
            | {"payload": _own_part(m.payload, {r.id for r in requests_made})}
            for m in _all(
                session,
                select(OutboxMessage)
                .where(
                    or_(
                        OutboxMessage.person_id == pid,
                        OutboxMessage.address.in_(contact_values),
                    )
                )
                .order_by(OutboxMessage.id),
            )
        ],
        "ledger": _ledger(session, pid),
        "sessions": [
            row(t, drop=("person_id",))
            for t in _all(session, select(AuthToken).where(AuthToken.person_id == pid))
        ],
    }


def _own_part(payload: dict[str, Any], own_requests: set[int]) -> dict[str, Any]:
    """A message's fields, without the other person's (a helper is sent the requester's
    first name, phone and address; a requester the helper's first name)."""
    theirs = payload.get("request_id") in own_requests
    return {
        key: value
        for key, value in payload.items()
        if not key.endswith(("_name", "_phone"))
        and (theirs or key not in ("details", "address", "lat", "lon"))
    }


def _ledger(session: Session, person_id: int) -> dict:
    accounts = _all(session, select(Account).where(Account.owner_id == person_id))
    lines: list[dict] = []
    before: int | None = None
    while True:
        page = person_statement(session, person_id, limit=500, before=before)
        lines.extend({k: _plain(v) for k, v in asdict(line).items()} for line in page.lines)
        if page.next_before is None:
            break
        before = page.next_before
    return {"accounts": [row(a, drop=("owner_id",)) for a in accounts], "statement": lines}
