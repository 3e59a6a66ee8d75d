"""Every console page passes axe-core's WCAG 2 A/AA rules, and works from the keyboard."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.console.console_helpers import make_staff
from tests.e2e_console.conftest import LiveConsole, Screens, new_tg_user
from tests.e2e_console.test_console_conversations_browser import log_in
from tests.factories import make_helper, make_request, make_resident

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_console_pages_have_no_wcag_violations(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    jeanne = new_tg_user("Jeanne")
    with live.factory() as s:
        resident = make_resident(s, "Jeanne Martin", telegram_id=jeanne.id)
        make_helper(s, "Henri Dupuis")
        request_id = make_request(s, resident).id
        person_id = resident.id
        make_staff(s, "claire")
        s.commit()
    live.telegram(jeanne, "bonjour, je voudrais parler à quelqu'un")

    page.goto(f"{live.url}/console/login")
    assert violations(page) == [], "login"
    log_in(page, live, "claire")
    # Her conversation's row and, above it, the answer she is owed (a call-back row): both
    # are checked; the conversation is opened from its own row.
    row = page.locator("#conversation-rows tr[data-conversation]", has_text="Jeanne Martin")
    expect(row).to_be_visible()
    expect(page.locator("#conversation-rows tr[data-callback]")).to_have_count(1)
    found: dict[str, list[str]] = {"conversations": violations(page)}
    row.get_by_role("link", name="Jeanne Martin").click()
    page.get_by_role("button", name="Prendre la conversation").click()
    expect(page.get_by_label("Votre message")).to_be_visible()
    found["conversation"] = violations(page)
    # Writing to her answers the call-back she was owed: the list of those done shows it.
    page.get_by_label("Votre message").fill("Bonjour Jeanne, je suis là.")
    page.get_by_role("button", name="Envoyer").click()
    for path in (
        "/console/requests",
        f"/console/requests/{request_id}",
        "/console/people",
        f"/console/people/{person_id}",
        "/console/payments",
        f"/console/payments/people/{person_id}",
        "/console/dashboard",
    ):
        page.goto(f"{live.url}{path}")
        found[path] = violations(page)
    page.goto(f"{live.url}/console/conversations?lang=en")
    page.locator("details.callbacks-done summary").click()
    expect(page.locator("tr[data-callback-done]")).to_have_count(1)
    found["english"] = violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_the_console_is_usable_from_the_keyboard(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    with live.factory() as s:
        make_staff(s, "claire")
    page.goto(f"{live.url}/console/login")
    # The login field has the focus on arrival; typing, Tab and Enter log in.
    expect(page.get_by_label("Identifiant")).to_be_focused()
    page.keyboard.type("claire")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Conversations en cours")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    screens.shot(page, "keyboard")
