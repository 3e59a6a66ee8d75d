"""A dispatcher corrects, in Chromium, what the intent model understood of a Telegram message:
the line says what the model read, 'Corriger' opens two lists, the right intent and service
are saved, the line says so, and the correction is stored with the message's words masked."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from backend.conversations.models import Conversation, ConversationMessage
from backend.nlu_corrections.models import NluCorrection
from tests.console.console_helpers import make_staff
from tests.e2e_console.conftest import LiveConsole, Screens, new_tg_user
from tests.e2e_console.test_console_accessibility import violations
from tests.e2e_console.test_console_conversations_browser import log_in
from tests.factories import make_resident

WORDS = (
    "bonjour il me faudrait de l'aide pour remplir ma déclaration d'impôts, "
    "mon numéro 06 12 34 56 78"
)


def test_a_dispatcher_corrects_the_reading_of_a_message_in_the_browser(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    jeanne = new_tg_user("Jeanne")
    with live.factory() as s:
        make_resident(s, "Jeanne Martin", telegram_id=jeanne.id)
        make_staff(s, "claire")
    live.telegram(jeanne, WORDS)
    (conversation,) = live.scalars(
        select(Conversation).where(Conversation.address == str(jeanne.id))
    )
    (said,) = live.scalars(
        select(ConversationMessage).where(
            ConversationMessage.conversation_id == conversation.id,
            ConversationMessage.direction == "in",
        )
    )
    model_read = said.payload["nlu"]["intent"]

    log_in(page, live, "claire", f"/console/conversations/{conversation.id}")
    expect(page.get_by_text("Mise à jour en direct")).to_be_visible()
    line = page.get_by_test_id(f"nlu-{said.id}")
    expect(line).to_contain_text("Compris :")
    screens.shot(page, "what-the-model-understood")

    page.get_by_text("Corriger", exact=True).click()
    page.get_by_label("Intention").select_option(label="Demande de l'aide")
    page.get_by_label("Service").select_option(label="Papiers")
    screens.shot(page, "correction-chosen")
    assert violations(page) == []  # the open form too: labels, contrast (WCAG 2.1 AA)
    page.get_by_role("button", name="Enregistrer la correction").click()

    expect(page.get_by_role("status").filter(has_text="Correction enregistrée")).to_be_visible()
    expect(page.get_by_test_id(f"nlu-{said.id}")).to_contain_text(
        "Corrigé : Demande de l'aide · Papiers"
    )
    screens.shot(page, "correction-saved")
    (row,) = live.scalars(select(NluCorrection))
    assert (row.intent, row.service, row.model_intent) == ("request_help", "paperwork", model_read)
    assert "06 12" not in row.text and "[numéro masqué]" in row.text
    assert all(p.stat().st_size > 10_000 for p in screens.taken)
