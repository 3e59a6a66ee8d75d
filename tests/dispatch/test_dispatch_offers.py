"""Starting a dispatch: offers to the best few helpers, messages without the exact address,
a timer for the round; nobody at all: the request is flagged for a dispatcher."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import OfferStatus
from backend.dispatch.service import NOBODY_AVAILABLE, start_dispatch
from backend.errors import Conflict
from backend.jobs.models import Job, JobStatus
from backend.requests.models import RequestStatus
from dialogues.notifications import render_notification
from tests.dispatch.dispatch_data import (
    NOW,
    POLICY,
    helper,
    offers_of,
    open_request,
    outbox,
    requester,
)
from tests.factories import make_helper


def test_the_best_helpers_get_offers_and_a_timer_is_set(session: Session) -> None:
    best = helper(session, "Proche", km=0.2)
    second = helper(session, "Moyen", km=1.0, telegram=True)
    third = helper(session, "Loin", km=2.5)
    request = open_request(session, requester(session))

    offers = start_dispatch(session, request, POLICY, NOW)

    assert [o.helper_id for o in offers] == [best.id, second.id]
    assert third.id not in {o.helper_id for o in offers}
    assert request.status == RequestStatus.offered
    for rank, offer in enumerate(offers, start=1):
        assert offer.status == OfferStatus.pending and offer.round == 1 and offer.rank == rank
        assert offer.expires_at == NOW + POLICY.offer_ttl
        assert {f["factor"] for f in offer.explanation["factors"]} >= {"distance", "rating"}
    job = session.scalar(select(Job).where(Job.kind == "offer_round_expiry"))
    assert job is not None and job.status == JobStatus.pending
    assert job.run_at == NOW + POLICY.offer_ttl
    assert job.payload["request_id"] == request.id and job.payload["round"] == 1


def test_offer_messages_say_where_only_approximately(session: Session) -> None:
    sms_helper = helper(session, "Par SMS", km=0.2)
    telegram_helper = helper(session, "Par Telegram", km=0.4, telegram=True)
    request = open_request(session, requester(session))
    offers = start_dispatch(session, request, POLICY, NOW)

    messages = outbox(session, "offer")
    assert [(m.person_id, m.channel) for m in messages] == [
        (sms_helper.id, "sms"),
        (telegram_helper.id, "telegram"),
    ]
    assert messages[0].address == sms_helper.contact("phone")
    assert messages[1].address == telegram_helper.contact("telegram")
    for message, offer in zip(messages, offers, strict=True):
        payload = message.payload
        assert payload["offer_id"] == offer.id and payload["request_id"] == request.id
        assert payload["service"] == "errands" and payload["neighbourhood"] == "Presqu'île"
        assert payload["pay_mode"] == "volunteer" and payload["distance_km"] == 0.5
        # Neither the street nor the coordinates nor the requester's phone.
        flat = str(payload)
        assert "rue de la République" not in flat and "+336" not in flat
        assert "lat" not in payload and "lon" not in payload and "address" not in payload
        told = render_notification(message.kind, message.payload, "fr")[0].text
        assert "Presqu'île" in told and "courses" in told


def test_helpers_who_cannot_be_reached_are_skipped(session: Session) -> None:
    make_helper(session, "Sans téléphone")  # nearest, but no phone nor Telegram
    reachable = helper(session, "Joignable", km=1.0)
    request = open_request(session, requester(session))
    offers = start_dispatch(session, request, POLICY, NOW)
    assert [o.helper_id for o in offers] == [reachable.id]


def test_nobody_available_flags_the_request_for_a_dispatcher(session: Session) -> None:
    helper(session, "Jardinier", services=["gardening"])
    request = open_request(session, requester(session))

    assert start_dispatch(session, request, POLICY, NOW) == []

    assert request.status == RequestStatus.open
    assert request.needs_dispatcher and request.flag_reason == NOBODY_AVAILABLE
    assert outbox(session) == [] and offers_of(session, request) == []


def test_only_an_open_request_can_be_dispatched(session: Session) -> None:
    helper(session, "Aidant")
    request = open_request(session, requester(session))
    start_dispatch(session, request, POLICY, NOW)
    with pytest.raises(Conflict):
        start_dispatch(session, request, POLICY, NOW)
