"""Two capabilities end to end in the browser: an address verified by a postcard code that
the dispatcher issues and the resident types on Telegram; a hold released after the browser's
confirmation dialog."""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import select

from backend.ledger.accounts import open_account
from backend.ledger.funding import issue_time_credits
from backend.ledger.models import AccountKind, Transfer
from backend.ledger.service import hold
from backend.people.models import Address
from tests.console.console_helpers import make_staff
from tests.e2e_console.conftest import LiveConsole, Screens, new_tg_user
from tests.e2e_console.test_console_conversations_browser import log_in
from tests.factories import make_helper, make_resident


def test_a_postcard_code_issued_in_the_console_verifies_the_address_typed_on_telegram(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    jeanne = new_tg_user("Jeanne")
    with live.factory() as s:
        person_id = make_resident(s, "Jeanne Martin", telegram_id=jeanne.id).id
        make_staff(s, "claire")
        s.commit()

    log_in(page, live, "claire", path=f"/console/people/{person_id}")
    page.get_by_role("button", name="Envoyer une carte postale avec un code").click()
    card = page.get_by_test_id("postcard-code")
    expect(card).to_contain_text("Jeanne Martin")
    code = re.sub(r"\D", "", card.locator(".postcard-code").inner_text())
    assert len(code) == 6
    screens.shot(page, "postcard-to-write")

    live.telegram(jeanne, f"code {code[:3]} {code[3:]}")
    assert "Merci, votre adresse est vérifiée." in live.reads(jeanne)
    (home,) = live.scalars(select(Address).where(Address.person_id == person_id))
    assert home.verified_at is not None

    page.reload()
    expect(page.get_by_test_id("address-verified")).to_be_visible()
    expect(page.get_by_test_id("postcard-code")).to_have_count(0)  # shown once, never again
    screens.shot(page, "address-verified")


def test_a_hold_is_released_only_once_the_dispatcher_confirms(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    with live.factory() as s:
        payer = make_resident(s, "Jeanne Martin")
        payee = make_helper(s, "Henri Dupuis")
        issue_time_credits(s, payer.id, 600)
        held = hold(
            s,
            debit_account_id=open_account(s, AccountKind.person_time, payer.id).id,
            credit_account_id=open_account(s, AccountKind.person_time, payee.id).id,
            amount=90,
            memo="soutien scolaire samedi",
        )
        make_staff(s, "claire")
        s.commit()

    log_in(page, live, "claire", path="/console/payments")
    holds = page.get_by_test_id("pending-holds")
    expect(holds).to_contain_text("soutien scolaire samedi")
    expect(holds).to_contain_text("1 h 30")

    asked: list[str] = []

    def answer(dialog: Dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, accept=False))
    page.get_by_test_id(f"release-{held.id}").click()
    expect(holds).to_contain_text("soutien scolaire samedi")  # said no: nothing happened
    page.once("dialog", lambda d: answer(d, accept=True))
    page.get_by_test_id(f"release-{held.id}").click()
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.get_by_test_id("pending-holds")).to_have_count(0)
    assert len(asked) == 2 and "Rien ne sera versé" in asked[0]
    (stored,) = live.scalars(select(Transfer).where(Transfer.id == held.id))
    assert stored.status == "voided"
    screens.shot(page, "hold-released")
