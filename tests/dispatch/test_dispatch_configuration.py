"""One dispatch configuration, from the environment: the REST API, the console and the
conversation engine all offer jobs by the configured policy and settle paid jobs at the
configured commission (what is stored: the rounds' timers and the ledger)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.dispatch.store import ROUND_EXPIRY
from backend.jobs.models import Job
from backend.ledger.models import JobSettlement
from backend.ledger.service import get_transfer
from backend.people.models import Person, Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from backend.requests.models import PayMode
from coupdemain.app import create_app
from coupdemain.settings import Settings
from dialogues.messages import Incoming
from dialogues.protocols import ConversationEngine
from tests.console.console_helpers import log_in, make_staff
from tests.dispatch.dispatch_data import helper, open_request, requester

Headers = Callable[[int], dict[str, str]]
PRICE = 4_000  # 40 € paid hand to hand
# Not the defaults (3 offers, 10 minutes, 3 rounds, 10 %).
CONFIGURED = {"offers_per_round": 2, "offer_ttl_seconds": 25 * 60, "max_rounds": 4}


@pytest.fixture
def app_client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("COUPDEMAIN_COMMISSION_BPS", "1500")
    monkeypatch.setenv("COUPDEMAIN_DISPATCH_OFFERS_PER_ROUND", "2")
    monkeypatch.setenv("COUPDEMAIN_DISPATCH_OFFER_MINUTES", "25")
    monkeypatch.setenv("COUPDEMAIN_DISPATCH_MAX_ROUNDS", "4")
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        run_workers=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(settings)) as client:
        yield client


def paid_request(session: Session, *, telegram: bool = False) -> int:
    for i in range(4):
        helper(session, f"Aidant {i}", km=0.3 * (i + 1), telegram=telegram)
    request = open_request(session, requester(session), pay_mode=PayMode.cash, price_cents=PRICE)
    rid = request.id
    session.commit()  # the test holds no transaction while the app works (SQLite)
    return rid


def round_policies(session: Session, rid: int) -> list[dict[str, int]]:
    """The policy each round's timer carries on to the next rounds, oldest first."""
    session.expire_all()
    jobs = session.scalars(select(Job).where(Job.kind == ROUND_EXPIRY).order_by(Job.id))
    found = [{k: j.payload[k] for k in CONFIGURED} for j in jobs if j.payload["request_id"] == rid]
    session.commit()  # SQLite: let the app write
    return found


def offers(session: Session, rid: int) -> list[tuple[int, int, int]]:
    """(offer id, helper id, round), best first in each round."""
    session.expire_all()
    stmt = select(Offer).where(Offer.request_id == rid).order_by(Offer.round, Offer.rank)
    found = [(o.id, o.helper_id, o.round) for o in session.scalars(stmt)]
    session.commit()
    return found


def settled(session: Session, rid: int) -> tuple[int, int, int]:
    """(commission rate, commission, the ledger transfer's amount) stored for the job."""
    session.expire_all()
    row = session.scalars(select(JobSettlement).where(JobSettlement.request_id == rid)).one()
    assert row.transfer_id is not None
    found = row.commission_bps, row.commission, get_transfer(session, row.transfer_id).amount
    session.commit()
    return found


def telegram_press(client: TestClient, helper_id: int, session: Session, choice: str) -> None:
    telegram_id = session.get_one(Person, helper_id).contact("telegram")
    assert telegram_id is not None
    session.commit()
    engine: ConversationEngine = client.app.state.conversation_engine  # type: ignore[attr-defined]
    engine.handle(Incoming(channel="telegram", address=telegram_id, sender_id=telegram_id,
                           choice=choice, external_id=choice))  # fmt: skip


def test_the_api_offers_by_the_configured_policy_and_takes_the_configured_commission(
    app_client: TestClient, session: Session, login_as: Headers
) -> None:
    rid = paid_request(session)
    dispatcher = create_person(session, PersonCreate(display_name="R", roles=[Role.dispatcher])).id
    session.commit()

    made = app_client.post(f"/api/v1/requests/{rid}/dispatch", headers=login_as(dispatcher))
    assert made.status_code == 200, made.text
    assert len(made.json()["offers"]) == 2
    assert round_policies(session, rid) == [CONFIGURED]
    offer_id, helper_id, _ = offers(session, rid)[0]
    won = app_client.post(f"/api/v1/offers/{offer_id}/accept", headers=login_as(helper_id))
    assert won.status_code == 200, won.text
    done = app_client.post(f"/api/v1/requests/{rid}/complete", headers=login_as(helper_id))
    assert done.status_code == 200, done.text

    assert settled(session, rid) == (1500, 600, 600)  # 15 % of 40 €


def test_the_console_offers_by_the_same_policy_and_the_engine_settles_at_the_same_rate(
    app_client: TestClient, session: Session
) -> None:
    rid = paid_request(session, telegram=True)
    make_staff(session, "nadia")
    csrf = log_in(app_client, "nadia")

    page = app_client.post(
        f"/console/requests/{rid}/dispatch",
        data={"csrf": csrf},
        headers={"referer": f"http://testserver/console/requests/{rid}"},
    )
    assert "Demande proposée à 2 aidant·es." in page.text
    assert round_policies(session, rid) == [CONFIGURED]
    offer_id, helper_id, _ = offers(session, rid)[0]
    telegram_press(app_client, helper_id, session, f"offer:accept:{offer_id}")
    telegram_press(app_client, helper_id, session, f"job:done:{rid}")

    assert settled(session, rid) == (1500, 600, 600)


def test_a_decline_on_telegram_asks_the_next_helpers_by_the_configured_policy(
    app_client: TestClient, session: Session, login_as: Headers
) -> None:
    rid = paid_request(session, telegram=True)
    dispatcher = create_person(session, PersonCreate(display_name="R", roles=[Role.dispatcher])).id
    session.commit()
    app_client.post(f"/api/v1/requests/{rid}/dispatch", headers=login_as(dispatcher))

    for offer_id, helper_id, _ in offers(session, rid):
        telegram_press(app_client, helper_id, session, f"offer:decline:{offer_id}")

    rounds = [round_no for _, _, round_no in offers(session, rid)]
    assert rounds == [1, 1, 2, 2]  # the configured number of helpers again, not the default 3
    assert round_policies(session, rid) == [CONFIGURED, CONFIGURED]
