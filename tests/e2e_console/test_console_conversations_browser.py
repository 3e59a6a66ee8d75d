"""A dispatcher supervises a Telegram conversation in the browser: it appears live, they take
it over, write (the resident reads it on Telegram), the resident answers (it appears live), and
they hand it back."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from backend.conversations.models import Conversation
from backend.people.models import Role
from tests.console.console_helpers import PASSWORD, make_staff
from tests.e2e_console.conftest import LiveConsole, Screens, new_tg_user
from tests.factories import make_resident


def log_in(page: Page, live: LiveConsole, login: str, path: str = "/console/conversations") -> None:
    page.goto(f"{live.url}{path}")
    expect(page).to_have_url(f"{live.url}/console/login?next={path.replace('/', '%2F')}")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live.url}{path}")


def test_dispatcher_sees_a_telegram_conversation_live_takes_over_writes_and_hands_back(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    jeanne = new_tg_user("Jeanne")
    with live.factory() as s:
        make_resident(s, "Jeanne Martin", telegram_id=jeanne.id)
        make_staff(s, "claire")

    log_in(page, live, "claire")
    expect(page.get_by_role("heading", name="Conversations en cours")).to_be_visible()
    expect(page.get_by_text("Mise à jour en direct")).to_be_visible()
    screens.shot(page, "empty-list")

    # Jeanne writes on Telegram: her conversation appears without reloading the page.
    live.telegram(jeanne, "bonjour, je voudrais parler à quelqu'un s'il vous plaît")
    row = page.locator("#conversation-rows tr[data-conversation]", has_text="Jeanne Martin")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Telegram")
    expect(row).to_contain_text("Demande un humain")
    screens.shot(page, "conversation-appears-live")

    row.get_by_role("link", name="Jeanne Martin").click()
    expect(page.locator("#transcript")).to_contain_text("je voudrais parler à quelqu'un")
    page.get_by_role("button", name="Prendre la conversation").click()
    expect(
        page.get_by_role("status").filter(has_text="Vous avez pris la conversation")
    ).to_be_visible()

    message = "Bonjour Jeanne, ici Claire de Coup de main. Que puis-je faire pour vous ?"
    page.get_by_label("Votre message").fill(message)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#transcript")).to_contain_text(message)
    live.wait_until_read(jeanne, message)  # delivered by the outbox worker through the real PTB
    expect(page.locator("#transcript")).to_contain_text("Remis (Telegram)")  # said live
    screens.shot(page, "dispatcher-wrote")

    # Jeanne answers: the bot stays silent, her words appear in the open transcript live.
    before = len(live.reads(jeanne))
    live.telegram(jeanne, "Il me faudrait quelqu'un pour mes courses jeudi")
    expect(page.locator("#transcript")).to_contain_text("pour mes courses jeudi")
    assert live.reads(jeanne)[before:] == []
    screens.shot(page, "resident-answered-live")

    page.get_by_role("button", name="Rendre au robot").click()
    expect(page.locator("#transcript")).to_contain_text("le robot")
    live.wait_until_read(jeanne, "Je reprends la conversation")
    (conversation,) = live.scalars(
        select(Conversation).where(Conversation.address == str(jeanne.id))
    )
    assert conversation.handled_by == "bot" and "asked_for_human" not in conversation.flags
    screens.shot(page, "handed-back")
    assert all(p.stat().st_size > 10_000 for p in screens.taken)


def test_a_resident_cannot_enter_the_console_in_the_browser(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    with live.factory() as s:
        make_staff(s, "henri", role=Role.helper)
    page.goto(f"{live.url}/console/conversations")
    page.get_by_label("Identifiant").fill("henri")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Ce compte n'a pas accès à la console des opérateurs."
    )
    assert "/console/login" in page.url
    screens.shot(page, "refused")
