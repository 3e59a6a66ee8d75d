"""A dispatcher assigns a helper by hand in the browser, reading why each candidate is
proposed; the helper and the requester are told on Telegram."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from backend.people.models import Person
from backend.requests.models import HelpRequest
from tests.console.console_helpers import make_staff
from tests.e2e_console.conftest import LiveConsole, Screens, new_tg_user
from tests.e2e_console.test_console_conversations_browser import log_in
from tests.factories import make_helper, make_request, make_resident


def test_dispatcher_assigns_a_helper_by_hand_from_the_explained_candidates(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    jeanne, henri = new_tg_user("Jeanne"), new_tg_user("Henri")
    with live.factory() as s:
        requester = make_resident(s, "Jeanne Martin", telegram_id=jeanne.id)
        helper = make_helper(s, "Henri Dupuis", telegram_id=henri.id, services=["errands"])
        make_helper(s, "Paul Lenoir", services=["errands"], lat=45.78, lon=4.84)
        request_id = make_request(s, requester).id
        helper_id = helper.id
        make_staff(s, "claire")
        s.commit()

    log_in(page, live, "claire", path="/console/requests")
    row = page.locator(f"tr[data-request='{request_id}']")
    expect(row).to_contain_text("Jeanne Martin")
    expect(row).to_contain_text("Courses")
    screens.shot(page, "requests-to-handle")

    row.get_by_role("link").first.click()
    candidate = page.locator(f"li.candidate[data-helper='{helper_id}']")
    expect(candidate).to_contain_text("Henri Dupuis")
    expect(candidate).to_contain_text("km")  # the distance reason, in words
    expect(page.get_by_test_id("candidates")).to_contain_text("Paul Lenoir")
    screens.shot(page, "candidates-explained")

    page.get_by_role("button", name="Attribuer à Henri Dupuis").click()
    expect(page.get_by_test_id("request-facts")).to_contain_text("Henri Dupuis")
    (stored,) = live.scalars(select(HelpRequest).where(HelpRequest.id == request_id))
    assert (stored.status, stored.helper_id) == ("assigned", helper_id)
    assert stored.safety_word
    live.wait_until_read(henri, "Jeanne")  # the helper learns whom to help
    live.wait_until_read(jeanne, stored.safety_word)  # the requester, the word to expect
    screens.shot(page, "assigned")


def test_a_new_request_appears_in_the_open_queue_without_reloading(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    with live.factory() as s:
        requester_id = make_resident(s, "Jeanne Martin").id
        make_staff(s, "claire")
        s.commit()
    log_in(page, live, "claire", path="/console/requests")
    expect(page.get_by_text("Mise à jour en direct")).to_be_visible()
    expect(page.get_by_test_id("tab-todo")).to_contain_text("(0)")

    with live.factory() as s:  # the bot, a call or another dispatcher books one meanwhile
        request_id = make_request(s, s.get_one(Person, requester_id)).id
        s.commit()
    expect(page.locator(f"tr[data-request='{request_id}']")).to_contain_text("Jeanne Martin")
    expect(page.get_by_test_id("tab-todo")).to_contain_text("(1)")
    screens.shot(page, "new-request-live")
