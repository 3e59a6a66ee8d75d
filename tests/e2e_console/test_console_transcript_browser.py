"""A long phone conversation as a dispatcher sees it in Chromium: its flags in sight above the
transcript (which opens on its last lines), the engine's codes as words, the take-over naming
who has it, and the bare site address leading to the console."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import update

from backend.conversations.models import Conversation, ConversationMessage
from backend.people.models import Person
from tests.console.console_helpers import make_staff
from tests.e2e_console.conftest import LiveConsole, Screens
from tests.e2e_console.test_console_conversations_browser import log_in
from tests.factories import make_resident


def a_long_call(live: LiveConsole) -> int:
    """Robert's call: sixty exchanges, flagged as an emergency, stored as the engine stores
    them (choices as '[choix] ...'). Returns the conversation's id."""
    with live.factory() as s:
        robert = make_resident(s, "Robert Petit", phone="+33612345679")
        make_staff(s, "claire")
        s.execute(
            update(Person).where(Person.login == "claire").values(display_name="Claire Dupont")
        )
        conversation = Conversation(
            channel="voice", address="+33612345679", person_id=robert.id, language="fr",
            flow="request_help", step="when", flags=["emergency", "dropped_call"], state={},
        )  # fmt: skip
        s.add(conversation)
        s.flush()
        lines = [("person", "[choix] call:start")]
        for n in range(60):
            lines += [("bot", f"Question numéro {n} : comment souhaitez-vous payer ?")]
            lines += [("person", "[choix] pay:volunteer" if n % 2 else f"réponse {n}")]
        lines += [
            ("person", "[choix] offer:decline:12"),
            ("person", "[choix] call:ended:completed"),
        ]
        for author, text in lines:
            s.add(
                ConversationMessage(
                    conversation_id=conversation.id,
                    direction="in" if author == "person" else "out",
                    author=author,
                    text=text,
                )
            )
        s.commit()
        return conversation.id


def in_sight(page: Page, test_id: str) -> None:
    """Wholly inside the window and clipped by no scroll box: Playwright's IntersectionObserver
    check, retried while a live update redraws the region (a bounding box read once could
    catch the element between two drawings)."""
    expect(page.get_by_test_id(test_id)).to_be_in_viewport(ratio=1)


def test_a_long_call_shows_its_flags_in_sight_and_words_not_codes(
    live: LiveConsole, page: Page, screens: Screens
) -> None:
    conversation_id = a_long_call(live)
    here = f"/console/conversations/{conversation_id}"
    log_in(page, live, "claire", here)
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("Question numéro 59")
    expect(page.get_by_test_id("flags")).to_contain_text("Urgence")
    expect(page.get_by_test_id("flags")).to_contain_text("Appel coupé")
    in_sight(page, "flags")
    # The transcript opens on its last lines, inside its own scroll box.
    last = transcript.locator("li").last
    expect(last).to_have_class("call-event")
    expect(last).to_contain_text("Appel terminé")
    expect(last).to_be_in_viewport()
    expect(transcript).to_contain_text("A choisi : bénévole")
    expect(transcript).to_contain_text("A refusé la proposition (n° 12)")
    expect(page.get_by_text("Demande d'aide · Étape : le moment")).to_be_visible()
    shown = transcript.inner_text()
    for raw in ("[choix]", "pay:volunteer", "call:ended", "offer:decline"):
        assert raw not in shown
    screens.shot(page, "long-call")

    # A new line arrives live: still at the bottom, the flags still in sight.
    with live.factory() as s:
        s.add(
            ConversationMessage(
                conversation_id=conversation_id, direction="in", author="person",
                text="[choix] call:start",
            )
        )  # fmt: skip
        s.add(
            ConversationMessage(
                conversation_id=conversation_id, direction="in", author="person",
                text="allô, c'est encore Robert",
            )
        )  # fmt: skip
        s.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(flags=["emergency"])
        )
        s.commit()
    newest = transcript.locator("li").last
    expect(newest).to_contain_text("allô, c'est encore Robert")
    expect(newest).to_be_in_viewport()
    expect(page.get_by_test_id("flags")).not_to_contain_text("Appel coupé")
    in_sight(page, "flags")

    # Claire takes it over: the state line names her and the time.
    page.get_by_role("button", name="Prendre la conversation").click()
    held = page.get_by_test_id("held-by")
    expect(held).to_have_text(re.compile(r"^Pris en main par Claire D\. depuis \d{1,2} h \d\d$"))
    in_sight(page, "held-by")
    page.goto(f"{live.url}{here}?lang=en")
    expect(held).to_have_text(re.compile(r"^Taken over by Claire D\. since \d\d:\d\d$"))
    expect(transcript).to_contain_text("Chose: volunteer")
    expect(transcript.locator("li.call-event").first).to_contain_text("Incoming call")
    screens.shot(page, "taken-over-english")


def test_the_site_address_leads_to_the_console_login(live: LiveConsole, page: Page) -> None:
    page.goto(f"{live.url}/")
    expect(page).to_have_url(f"{live.url}/console/login?next=%2Fconsole%2Fconversations")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
