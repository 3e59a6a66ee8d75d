"""The ledger over HTTP: who may do what, idempotency keys, clear errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.ledger.accounts import open_account
from backend.ledger.models import AccountKind
from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from tests.ledger.ledger_helpers import wallet

Headers = dict[str, str]


@pytest.fixture
def api(client: TestClient) -> TestClient:
    """The app's client, with the ledger router mounted if the app does not include it yet."""
    if client.get("/api/v1/ledger/verify").status_code == 404:
        from backend.api import API_PREFIX
        from backend.ledger.router import router

        client.app.include_router(router, prefix=API_PREFIX)  # type: ignore[attr-defined]
    return client


@dataclass(frozen=True)
class Cast:
    dispatcher: Headers
    alice: Headers
    bob: Headers
    alice_id: int
    alice_wallet: int
    bob_wallet: int


@pytest.fixture
def people(session: Session, login_as: Callable[[int], Headers]) -> Cast:
    dispatcher = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    alice = create_person(session, PersonCreate(display_name="Alice"))
    bob = create_person(session, PersonCreate(display_name="Bob"))
    alice_wallet = wallet(session, alice.id, 5_000)
    bob_wallet = wallet(session, bob.id)
    session.commit()
    return Cast(
        dispatcher=login_as(dispatcher.id),
        alice=login_as(alice.id),
        bob=login_as(bob.id),
        alice_id=alice.id,
        alice_wallet=alice_wallet.id,
        bob_wallet=bob_wallet.id,
    )


def _pay(api: TestClient, people: Cast, key: str, amount: int = 1_200) -> httpx.Response:
    return api.post(
        "/api/v1/ledger/transfers",
        json={
            "debit_account_id": people.alice_wallet,
            "credit_account_id": people.bob_wallet,
            "amount": amount,
            "memo": "courses",
        },
        headers={**people.dispatcher, "Idempotency-Key": key},
    )


def test_dispatcher_transfer_is_replayed_with_the_same_key(api: TestClient, people: Cast) -> None:
    first = _pay(api, people, "pay-1")
    assert first.status_code == 201, first.text
    again = _pay(api, people, "pay-1")
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = _pay(api, people, "pay-1", amount=1_300)
    assert other.status_code == 409
    accounts = api.get(
        f"/api/v1/ledger/people/{people.alice_id}/accounts", headers=people.alice
    ).json()
    assert [(a["kind"], a["balance"], a["available"]) for a in accounts] == [
        ("person_wallet", 3_800, 3_800)
    ]


def test_transfer_needs_an_idempotency_key_and_a_dispatcher(api: TestClient, people: Cast) -> None:
    body = {
        "debit_account_id": people.alice_wallet,
        "credit_account_id": people.bob_wallet,
        "amount": 100,
    }
    missing = api.post("/api/v1/ledger/transfers", json=body, headers=people.dispatcher)
    assert missing.status_code == 422 and "Idempotency-Key" in missing.text
    by_owner = api.post(
        "/api/v1/ledger/transfers", json=body, headers={**people.alice, "Idempotency-Key": "x"}
    )
    assert by_owner.status_code == 403


def test_overdraft_and_bad_amounts_get_clear_errors(api: TestClient, people: Cast) -> None:
    too_much = _pay(api, people, "big", amount=5_001)
    assert too_much.status_code == 409
    assert too_much.json()["error"] == "insufficient_funds"
    assert _pay(api, people, "zero", amount=0).status_code == 422


def test_a_person_reads_only_their_own_ledger(api: TestClient, people: Cast) -> None:
    _pay(api, people, "p")
    own = api.get(
        f"/api/v1/ledger/accounts/{people.alice_wallet}/statement?limit=1",
        headers=people.alice,
    )
    assert own.status_code == 200
    page = own.json()
    assert [line["amount"] for line in page["items"]] == [-1_200]
    older = api.get(
        f"/api/v1/ledger/accounts/{people.alice_wallet}/statement",
        params={"before": page["next_before"]},
        headers=people.alice,
    ).json()
    assert [line["amount"] for line in older["items"]] == [5_000]
    assert older["next_before"] is None
    for path in (
        f"/api/v1/ledger/accounts/{people.alice_wallet}",
        f"/api/v1/ledger/people/{people.alice_id}/statement",
    ):
        assert api.get(path, headers=people.bob).status_code == 403
        assert api.get(path, headers=people.dispatcher).status_code == 200


def test_hold_post_void_and_refund_over_http(api: TestClient, people: Cast) -> None:
    dispatcher = people.dispatcher
    hold = api.post(
        "/api/v1/ledger/holds",
        json={
            "debit_account_id": people.alice_wallet,
            "credit_account_id": people.bob_wallet,
            "amount": 2_000,
        },
        headers={**dispatcher, "Idempotency-Key": "hold-1"},
    )
    assert hold.status_code == 201, hold.text
    hold_id = hold.json()["id"]
    account = api.get(f"/api/v1/ledger/accounts/{people.alice_wallet}", headers=dispatcher)
    assert account.json()["available"] == 3_000
    posted = api.post(
        f"/api/v1/ledger/holds/{hold_id}/post",
        json={"amount": 1_500},
        headers={**dispatcher, "Idempotency-Key": "capture-1"},
    )
    assert posted.status_code == 200 and posted.json()["kind"] == "capture"
    assert api.post(f"/api/v1/ledger/holds/{hold_id}/void", headers=dispatcher).status_code == 409
    refund = api.post(
        f"/api/v1/ledger/transfers/{posted.json()['id']}/refunds",
        json={"amount": 1_501},
        headers={**dispatcher, "Idempotency-Key": "refund-1"},
    )
    assert refund.status_code == 409
    refund = api.post(
        f"/api/v1/ledger/transfers/{posted.json()['id']}/refunds",
        json={"amount": 500},
        headers={**dispatcher, "Idempotency-Key": "refund-2"},
    )
    assert refund.status_code == 201 and refund.json()["reverses_id"] == posted.json()["id"]
    report = api.get("/api/v1/ledger/verify", headers=dispatcher).json()
    assert report["ok"] and report["totals"] == {"EUR": 0}


def test_dispatcher_opens_system_and_personal_accounts(
    api: TestClient,
    people: Cast,
    session: Session,
) -> None:
    opened = api.post(
        "/api/v1/ledger/accounts",
        json={"kind": "person_time", "owner_id": people.alice_id},
        headers=people.dispatcher,
    )
    assert opened.status_code == 201 and opened.json()["unit"] == "MIN"
    wrong = api.post(
        "/api/v1/ledger/accounts", json={"kind": "cash_clearing", "owner_id": 1},
        headers=people.dispatcher,
    )  # fmt: skip
    assert wrong.status_code == 422
    assert open_account(session, AccountKind.person_time, people.alice_id).id == opened.json()["id"]
