"""The requests pages: the queues, one request's file with its candidates and their reasons,
and the dispatcher's moves (assign, reassign, dispatch now, cancel), over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.dispatch.models import Offer, OfferStatus
from backend.people.models import PersonStatus
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.service import flag_for_dispatcher
from backend.trust.service import report
from tests.console.console_helpers import log_in, make_staff
from tests.dispatch.dispatch_data import helper, outbox, requester
from tests.factories import make_request, make_resident

PAGES = ["/console/requests", "/console/requests?status=all", "/console/requests/1"]
ACTIONS = [
    "/console/requests/1/assign",
    "/console/requests/1/reassign",
    "/console/requests/1/cancel",
    "/console/requests/1/dispatch",
]


def rows_of(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-request="(\d+)"', html)]


def candidates_of(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="candidate" data-helper="(\d+)"', html)]


class Console:
    """A logged-in dispatcher's browser; the test's session lets go of the database before
    each request (SQLite transactions are exclusive) and reads fresh afterwards."""

    def __init__(self, client: TestClient, session: Session, login: str = "nadia") -> None:
        self.client, self.session = client, session
        self.dispatcher = make_staff(session, login)
        self.csrf = log_in(client, login)

    def get(self, path: str) -> Response:
        self.session.commit()
        reply = self.client.get(path)
        self.session.expire_all()
        return reply

    def post(self, path: str, **data: Any) -> Response:
        """As a form posted from the request's page, following the redirect."""
        self.session.commit()
        page = re.sub(r"/(assign|reassign|cancel|dispatch)$", "", path)
        reply = self.client.post(
            path,
            data={"csrf": self.csrf, **data},
            headers={"referer": f"http://testserver{page}"},
        )
        self.session.expire_all()
        return reply


@pytest.fixture
def console(client: TestClient, session: Session) -> Console:
    return Console(client, session)


def fresh(session: Session, request: HelpRequest) -> HelpRequest:
    found = session.get(HelpRequest, request.id, populate_existing=True)
    assert found is not None
    return found


def offer_of(session: Session, request: HelpRequest, helper_id: int) -> Offer:
    return session.scalars(
        select(Offer)
        .where(Offer.request_id == request.id, Offer.helper_id == helper_id)
        .execution_options(populate_existing=True)
    ).one()


# -- the queues -----------------------------------------------------------------------------


def test_each_tab_lists_exactly_its_requests_with_counts(
    console: Console, session: Session
) -> None:
    now = utcnow()
    jeanne, henri = requester(session, "Jeanne Martin"), helper(session, "Henri Dupont")

    def request(status: RequestStatus, *, hours: float = 2, flag: str = "") -> HelpRequest:
        r = make_request(
            session,
            jeanne,
            window_start=now + timedelta(hours=hours),
            window_end=now + timedelta(hours=hours + 1),
        )
        r.status = status
        if status in (RequestStatus.assigned, RequestStatus.in_progress, RequestStatus.done):
            r.helper_id = henri.id
        if flag:
            flag_for_dispatcher(session, r, flag)
        return r

    opened = request(RequestStatus.open)
    offered = request(RequestStatus.offered)
    assigned = request(RequestStatus.assigned)
    late_open = request(RequestStatus.open, hours=-1)
    late_job = request(RequestStatus.in_progress, hours=-3)
    flagged_done = request(RequestStatus.done, flag="paiement à régler")
    cancelled = request(RequestStatus.cancelled, hours=-5)
    request(RequestStatus.draft)  # being composed in a conversation: in no queue

    expected = {
        "todo": [flagged_done, late_open, offered, opened],  # flagged first, then newest
        "open": [late_open, opened],
        "offered": [offered],
        "assigned": [late_job, assigned],
        "late": [late_job, late_open],
        "flagged": [flagged_done],
        "all": [flagged_done, cancelled, late_job, late_open, assigned, offered, opened],
    }
    for tab, wanted in expected.items():
        page = console.get(f"/console/requests?status={tab}")
        assert page.status_code == 200
        assert rows_of(page.text) == [r.id for r in wanted], tab
        current = re.search(r'data-testid="tab-(\w+)" aria-current="page"', page.text)
        assert current and current.group(1) == tab
    # The default is what needs a dispatcher first; each tab says how many it holds.
    page = console.get("/console/requests")
    assert rows_of(page.text) == [r.id for r in expected["todo"]]
    assert re.search(r'data-testid="tab-todo" aria-current="page"', page.text)
    for tab, wanted in expected.items():
        count = re.search(
            rf'data-testid="tab-{tab}"[^>]*>[^<]*<span class="count">\((\d+)\)', page.text
        )
        assert count and int(count.group(1)) == len(wanted), tab

    row = re.search(
        rf'<tr data-request="{late_job.id}".*?</tr>',
        console.get("/console/requests?status=late").text,
        re.S,
    )
    assert row is not None
    text = row.group(0)
    assert "Courses" in text and "Jeanne Martin" in text and "Henri Dupont" in text
    assert "En cours" in text and "En retard" in text
    flagged = console.get("/console/requests?status=flagged").text
    assert "paiement à régler" in flagged and "À voir par un·e opérateur·rice" in flagged
    english = console.get("/console/requests?status=late&lang=en").text
    assert "Errands" in english and "In progress" in english and "Late" in english


def test_a_long_queue_is_paginated_fifty_a_page(console: Console, session: Session) -> None:
    jeanne = requester(session)
    made = [make_request(session, jeanne) for _ in range(51)]
    newest_first = [r.id for r in reversed(made)]

    first = console.get("/console/requests?status=open")
    assert rows_of(first.text) == newest_first[:50]
    assert 'data-testid="page-next"' in first.text and 'data-testid="page-prev"' not in first.text
    assert "Page 1 sur 2" in first.text
    second = console.get("/console/requests?status=open&page=2")
    assert rows_of(second.text) == newest_first[50:]
    assert 'data-testid="page-prev"' in second.text and 'data-testid="page-next"' not in second.text


# -- one request ----------------------------------------------------------------------------


def test_the_file_shows_the_facts_and_each_candidate_with_reasons(
    console: Console, session: Session
) -> None:
    jeanne = requester(session, "Jeanne Martin")
    near, far = helper(session, "Paul Près", km=0.5), helper(session, "Zoé Loin", km=3)
    r = make_request(session, jeanne, pay_mode="cash", price_cents=1550, duration_minutes=90)

    page = console.get(f"/console/requests/{r.id}")
    assert page.status_code == 200
    assert f'href="/console/people/{jeanne.id}">Jeanne Martin' in page.text
    assert "Des courses à la pharmacie" in page.text and "15,50 €" in page.text
    assert "1 h 30" in page.text and "Espèces" in page.text and "Ouverte" in page.text
    assert candidates_of(page.text) == [near.id, far.id]
    paul = re.search(rf'data-helper="{near.id}".*?</li>', page.text, re.S)
    assert paul is not None
    assert "à 500 m" in paul.group(0) and "pas encore d&#39;avis" in paul.group(0)
    assert "parle français" in paul.group(0) and "à 0,5 km" in paul.group(0)
    assert "Attribuer à Paul Près" in paul.group(0)

    english = console.get(f"/console/requests/{r.id}?lang=en").text
    paul = re.search(rf'data-helper="{near.id}".*?</li>', english, re.S)
    assert paul is not None
    assert "500 m away" in paul.group(0) and "no reviews yet" in paul.group(0)
    assert "speaks French" in paul.group(0) and "Assign to Paul Près" in paul.group(0)
    assert "Cash" in english and "Errands" in english


def test_each_candidate_is_one_line_with_its_reasons_and_the_weights_folded(
    console: Console, session: Session
) -> None:
    jeanne = requester(session, "Jeanne Martin")
    near = helper(session, "Paul Près", km=0.5)
    r = make_request(session, jeanne, pay_mode="cash", price_cents=1550, duration_minutes=90)

    html = console.get(f"/console/requests/{r.id}").text
    paul = re.search(rf'data-helper="{near.id}".*?</li>', html, re.S)
    assert paul is not None
    row, folded = paul.group(0).split("<details", 1)
    assert "Paul Près" in row and "à 0,5 km" in row and "/ 100" in row
    assert "Attribuer à Paul Près" in row
    reasons = folded.split("</summary>")[0]
    assert "pas encore d&#39;avis" in reasons and "parle français" in reasons
    assert "à 500 m" not in reasons  # the distance is already on the line
    assert 'class="list factors"' in folded.split("</summary>")[1]  # opened on demand

    english = console.get(f"/console/requests/{r.id}?lang=en").text
    assert "€15.50" in english and "1h 30min" in english and "15,50" not in english


def test_why_a_request_is_flagged_reads_in_the_page_language(
    console: Console, session: Session
) -> None:
    jeanne = requester(session, "Jeanne Martin")
    reported = make_request(session, jeanne)
    filed = report(session, jeanne.id, "no_show", request_id=reported.id)
    nobody = make_request(session, jeanne)
    flag_for_dispatcher(session, nobody, "nobody available")

    french = console.get("/console/requests?status=flagged").text
    assert f"Signalement n° {filed.id} : personne n&#39;est venu" in french
    assert "personne de disponible" in french and "nobody available" not in french
    english = console.get("/console/requests?status=flagged&lang=en").text
    assert f"Report no. {filed.id}: nobody came" in english and "nobody available" in english
    assert "Signalement" not in english
    page = console.get(f"/console/requests/{reported.id}?lang=en").text
    assert f"<strong>Needs a dispatcher</strong>: Report no. {filed.id}: nobody came" in page


def test_a_draft_or_a_closed_request_has_no_candidates(console: Console, session: Session) -> None:
    draft = make_request(session, requester(session), submit=False)
    helper(session, "Paul")
    page = console.get(f"/console/requests/{draft.id}")
    assert page.status_code == 200 and "encore un brouillon" in page.text
    assert candidates_of(page.text) == [] and "Brouillon" in page.text
    draft.status = RequestStatus.done
    page = console.get(f"/console/requests/{draft.id}")
    assert "ne peut plus être attribuée" in page.text and candidates_of(page.text) == []
    assert 'data-testid="cancel-form"' not in page.text
    assert console.get("/console/requests/999999").status_code == 404


# -- the dispatcher's moves -----------------------------------------------------------------


def test_assign_by_hand_stores_the_helper_and_tells_both(
    console: Console, session: Session
) -> None:
    jeanne, paul = requester(session, "Jeanne Martin"), helper(session, "Paul Près")
    r = make_request(session, jeanne)
    flag_for_dispatcher(session, r, "nobody available")

    page = console.post(f"/console/requests/{r.id}/assign", helper_id=paul.id)

    assert page.status_code == 200 and "Demande attribuée" in page.text
    r = fresh(session, r)
    assert (r.status, r.helper_id, r.needs_dispatcher) == (RequestStatus.assigned, paul.id, False)
    assert r.safety_word and r.safety_word in page.text
    [to_helper] = outbox(session, "assigned_helper")
    [to_requester] = outbox(session, "assigned_requester")
    assert to_helper.person_id == paul.id and to_requester.person_id == jeanne.id
    assert to_requester.payload["safety_word"] == r.safety_word
    assert to_requester.payload["helper_first_name"] == "Paul"
    assert r.events[-1].actor_id == console.dispatcher.id
    # Now assigned: the candidates offer a reassignment, the current helper left out.
    assert paul.id not in candidates_of(page.text)


def test_reassign_releases_the_first_helper_and_gives_a_new_safety_word(
    console: Console, session: Session
) -> None:
    jeanne = requester(session, "Jeanne Martin")
    paul, zoe = helper(session, "Paul Près"), helper(session, "Zoé Autre", km=1)
    r = make_request(session, jeanne)
    console.post(f"/console/requests/{r.id}/assign", helper_id=paul.id)
    first_word = fresh(session, r).safety_word
    page = console.get(f"/console/requests/{r.id}")
    assert f'data-testid="reassign-{zoe.id}"' in page.text
    assert "Réattribuer à Zoé Autre" in page.text

    page = console.post(f"/console/requests/{r.id}/reassign", helper_id=zoe.id)

    assert "Demande réattribuée" in page.text
    r = fresh(session, r)
    assert (r.status, r.helper_id) == (RequestStatus.assigned, zoe.id)
    assert offer_of(session, r, paul.id).status == OfferStatus.withdrawn
    assert offer_of(session, r, zoe.id).status == OfferStatus.accepted
    [released] = outbox(session, "offer_withdrawn")
    assert released.person_id == paul.id and released.payload["reason"] == "assigned"
    assert [m.person_id for m in outbox(session, "assigned_helper")] == [paul.id, zoe.id]
    told = outbox(session, "assigned_requester")
    assert [m.person_id for m in told] == [jeanne.id, jeanne.id]
    assert told[0].payload["safety_word"] == first_word
    assert told[1].payload["helper_first_name"] == "Zoé"
    assert told[1].payload["safety_word"] == r.safety_word
    moves = [(e.from_status, e.to_status, e.actor_id) for e in r.events if e.kind == "status"]
    assert moves[-2:] == [
        (RequestStatus.assigned, RequestStatus.open, console.dispatcher.id),
        (RequestStatus.open, RequestStatus.assigned, console.dispatcher.id),
    ]

    # Given back to the first helper: both are told again (a third word for the requester).
    console.post(f"/console/requests/{r.id}/reassign", helper_id=paul.id)
    r = fresh(session, r)
    assert r.helper_id == paul.id
    assert [m.person_id for m in outbox(session, "offer_withdrawn")] == [paul.id, zoe.id]
    assert [m.person_id for m in outbox(session, "assigned_helper")] == [paul.id, zoe.id, paul.id]
    told = outbox(session, "assigned_requester")
    assert len(told) == 3 and told[2].payload["safety_word"] == r.safety_word


def test_cancel_keeps_the_reason_in_the_history_and_tells_the_helper(
    console: Console, session: Session
) -> None:
    jeanne, paul = requester(session), helper(session, "Paul Près")
    r = make_request(session, jeanne)
    console.post(f"/console/requests/{r.id}/assign", helper_id=paul.id)
    page = console.get(f"/console/requests/{r.id}")
    assert 'data-testid="cancel-form"' in page.text and "data-confirm=" in page.text

    page = console.post(f"/console/requests/{r.id}/cancel", reason="Sa fille est venue")

    assert "Demande annulée." in page.text and "Sa fille est venue" in page.text
    r = fresh(session, r)
    assert r.status == RequestStatus.cancelled
    last = r.events[-1]
    assert (last.to_status, last.note, last.actor_id) == (
        RequestStatus.cancelled,
        "Sa fille est venue",
        console.dispatcher.id,
    )
    [told] = outbox(session, "request_cancelled")
    assert told.person_id == paul.id and told.payload["reason"] == "Sa fille est venue"
    assert 'data-testid="cancel-form"' not in page.text  # nothing left to cancel


def test_cancel_without_a_reason_is_refused_with_nothing_changed(
    console: Console, session: Session
) -> None:
    r = make_request(session, requester(session))
    page = console.post(f"/console/requests/{r.id}/cancel", reason="   ")
    assert page.status_code == 422
    assert 'role="alert" id="cancel-error"' in page.text and "dites pourquoi" in page.text
    assert fresh(session, r).status == RequestStatus.open


def test_dispatch_now_offers_the_request_to_the_best_helpers(
    console: Console, session: Session
) -> None:
    jeanne = requester(session)
    helpers = [helper(session, f"Aidant {i}", km=0.3 * (i + 1)) for i in range(4)]
    r = make_request(session, jeanne)
    page = console.get(f"/console/requests/{r.id}")
    assert "Proposer aux aidants maintenant" in page.text

    page = console.post(f"/console/requests/{r.id}/dispatch")

    assert "Demande proposée à 3 aidant·es." in page.text
    assert fresh(session, r).status == RequestStatus.offered
    offered = [m.person_id for m in outbox(session, "offer")]
    assert offered == [h.id for h in helpers[:3]]
    assert len(re.findall(r"<tr data-offer=", page.text)) == 3
    assert "Proposer aux aidants maintenant" not in page.text


def test_dispatch_with_nobody_to_ask_flags_the_request(console: Console, session: Session) -> None:
    r = make_request(session, requester(session))
    page = console.post(f"/console/requests/{r.id}/dispatch")
    assert "Aucun·e aidant·e joignable" in page.text
    r = fresh(session, r)
    assert r.status == RequestStatus.open and r.needs_dispatcher
    assert outbox(session) == []


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("suspended", "is suspended"),
        ("taken", "already has a helper"),
        ("cancelled", "cancelled cannot be assigned"),
    ],
)
def test_a_refused_assignment_says_why_and_changes_nothing(
    console: Console, session: Session, case: str, reason: str
) -> None:
    jeanne, paul = requester(session), helper(session, "Paul Près")
    other = helper(session, "Zoé Autre")
    r = make_request(session, jeanne)
    if case == "suspended":
        paul.status = PersonStatus.suspended
    elif case == "taken":
        console.post(f"/console/requests/{r.id}/assign", helper_id=other.id)
    else:
        console.post(f"/console/requests/{r.id}/cancel", reason="plus besoin")
    before = fresh(session, r)
    status, holder, events = before.status, before.helper_id, len(before.events)
    sent = len(outbox(session))

    page = console.post(f"/console/requests/{r.id}/assign", helper_id=paul.id)

    assert page.status_code == 200 and 'class="flash flash-error" role="alert"' in page.text
    assert reason in page.text
    after = fresh(session, r)
    assert (after.status, after.helper_id, len(after.events)) == (status, holder, events)
    assert len(outbox(session)) == sent


def test_reassign_is_refused_for_a_request_nobody_has_or_a_suspended_helper(
    console: Console, session: Session
) -> None:
    jeanne, paul, zoe = requester(session), helper(session, "Paul"), helper(session, "Zoé")
    r = make_request(session, jeanne)
    page = console.post(f"/console/requests/{r.id}/reassign", helper_id=paul.id)
    assert "only an assigned job that has not started can be reassigned" in page.text
    assert fresh(session, r).status == RequestStatus.open and outbox(session) == []

    console.post(f"/console/requests/{r.id}/assign", helper_id=paul.id)
    zoe.status = PersonStatus.suspended
    sent = len(outbox(session))
    page = console.post(f"/console/requests/{r.id}/reassign", helper_id=zoe.id)
    assert "Zoé is suspended" in page.text
    r = fresh(session, r)
    assert (r.status, r.helper_id) == (RequestStatus.assigned, paul.id)
    assert offer_of(session, r, paul.id).status == OfferStatus.accepted
    assert len(outbox(session)) == sent


def test_dispatch_is_refused_once_the_request_has_a_helper(
    console: Console, session: Session
) -> None:
    r = make_request(session, requester(session))
    paul = helper(session, "Paul")
    console.post(f"/console/requests/{r.id}/assign", helper_id=paul.id)
    page = console.post(f"/console/requests/{r.id}/dispatch")
    assert "only an open request can be offered" in page.text
    assert fresh(session, r).helper_id == paul.id


# -- who may use these pages ----------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_the_login_form(client: TestClient, path: str) -> None:
    reply = client.get(path, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/console/login?next=")


@pytest.mark.parametrize("path", ACTIONS)
def test_actions_refuse_strangers_and_change_nothing(
    client: TestClient, session: Session, path: str
) -> None:
    r = make_request(session, requester(session))
    paul = helper(session, "Paul")
    session.commit()
    path = path.replace("/1/", f"/{r.id}/")
    reply = client.post(
        path, data={"csrf": "x", "helper_id": paul.id, "reason": "x"}, follow_redirects=False
    )
    assert reply.status_code == 401
    session.expire_all()
    assert fresh(session, r).status == RequestStatus.open and outbox(session) == []


def test_a_resident_is_refused_every_page_and_action(
    client: TestClient, session: Session, login_as: Callable[[int], dict[str, str]]
) -> None:
    resident = make_resident(session, "Jeanne")
    r = make_request(session, requester(session))
    paul = helper(session, "Paul")
    session.commit()
    token = login_as(resident.id)["Authorization"].removeprefix("Bearer ")
    client.cookies.set("cdm_session", token)
    for path in PAGES:
        assert client.get(path.replace("/1", f"/{r.id}")).status_code == 403, path
    for path in ACTIONS:
        reply = client.post(
            path.replace("/1/", f"/{r.id}/"),
            data={"csrf": "x", "helper_id": paul.id, "reason": "x"},
        )
        assert reply.status_code == 403, path
    session.expire_all()
    assert fresh(session, r).status == RequestStatus.open and outbox(session) == []
