"""Every console page, read in Chromium in French and in English, holds no word of the other
language: no French word, accent or French typography (a space before ':', '12 €', '14 h 05',
'ven. 4 déc.') on an English page, no English word of the console's on a French one.

What people wrote or are called (names, addresses, messages, notes) is not the console's to
translate: templates mark it with `data-user-content`, and text in another language says so
with `lang` (the language switch); both are left out. Where a marked name recurs inside a
sentence of the console ('Assign to Hélène Petit'), it is taken out of that sentence too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from backend.conversations.models import Conversation
from console.i18n import catalogue
from tests.e2e_console.conftest import LiveConsole, Screens
from tests.e2e_console.demo_console import Demo, log_in_as_dispatcher, seed

WORD = re.compile(r"[^\W\d_]+")
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _words(language: str) -> set[str]:
    found: set[str] = set()
    for text in catalogue(language).values():
        found |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text))}
    return found


# Tell-tale words: those of one catalogue that the other never uses (long enough not to be
# shared by chance), and the small French words that never appear in English.
FRENCH_ONLY = {w for w in _words("fr") - _words("en") if len(w) >= 4} | {
    "à", "au", "aux", "le", "la", "les", "des", "du", "et", "ou", "une", "sur", "par", "pour",
}  # fmt: skip
ENGLISH_ONLY = {w for w in _words("en") - _words("fr") if len(w) >= 4}
ACCENTS = re.compile(r"[àâæçéèêëîïôœùûüÿ]", re.IGNORECASE)
FRENCH_TYPOGRAPHY = {
    "space before : ; ? !": re.compile(r"[\s\u00a0\u202f][:;?!](?=\s|$)"),
    "euro sign after the amount": re.compile(r"\d[\s\u00a0\u202f]*€"),
    "French hours": re.compile(r"\b\d{1,2} ?h ?\d{2}\b|\b\d{1,2}h-\d{1,2}h\b|\b\d{1,2} h\b"),
    "French day": re.compile(r"\b(lun|mar|mer|jeu|ven|sam|dim)\.", re.IGNORECASE),
    "decimal comma": re.compile(r"\d,\d+\s?(km|m|%|€)"),
    "n°": re.compile(r"n°"),
}
ENGLISH_TYPOGRAPHY = {"euro sign before the amount": re.compile(r"€\s?\d")}

COLLECT = """(language) => {
    const other = el => { const marked = el.closest('[lang]');
        return marked !== null && marked.getAttribute('lang') !== language; };
    const skipped = el => el.closest('[data-user-content], script, style') !== null || other(el);
    const user = [...document.querySelectorAll('[data-user-content]')]
        .map(el => el.textContent.trim()).filter(text => text.length > 1);
    const ui = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.nodeValue.trim();
        if (text && node.parentElement && !skipped(node.parentElement)) ui.push(text);
    }
    const said = ['aria-label', 'title', 'placeholder', 'data-confirm', 'alt',
                  'data-live-ok', 'data-live-lost'];
    for (const el of document.querySelectorAll('body *')) {
        if (skipped(el)) continue;
        for (const name of said) { const value = el.getAttribute(name); if (value) ui.push(value); }
    }
    return {ui, user};
}"""


def problems(page: Page, language: str) -> list[str]:
    """Each piece of the console's own text on the page that is not in `language`, with why."""
    seen: dict[str, Any] = page.evaluate(COLLECT, language)
    users = sorted(set(seen["user"]), key=len, reverse=True)
    found: list[str] = []
    for raw in seen["ui"]:
        text = raw
        for said in users:
            text = text.replace(said, "X")  # a neutral word: 'Suspend X?' stays English
        found += [f"{why}: {raw!r}" for why in _why(text, language)]
    return sorted(set(found))


def _why(text: str, language: str) -> list[str]:
    words = {w.lower() for w in WORD.findall(text)}
    if language == "en":
        reasons = [f"French word {w!r}" for w in sorted(words & FRENCH_ONLY)]
        if ACCENTS.search(text):
            reasons.append("accented letter")
        typography = FRENCH_TYPOGRAPHY
    else:
        reasons = [f"English word {w!r}" for w in sorted(words & ENGLISH_ONLY)]
        typography = ENGLISH_TYPOGRAPHY
    return reasons + [name for name, pattern in typography.items() if pattern.search(text)]


def console_pages(demo: Demo) -> list[str]:
    return [
        "/console/dashboard",
        "/console/requests",
        "/console/requests?status=all",
        f"/console/requests/{demo.open_requests[0]}",
        f"/console/requests/{demo.done_request}",
        "/console/people",
        f"/console/people/{demo.resident}",
        "/console/payments",
        f"/console/payments/people/{demo.resident}",
        "/console/payments/check",
        "/console/requests/999999",  # the error page
    ]


def conversation_pages(live: LiveConsole) -> list[str]:
    """The list (with the call-backs owed) and every conversation: a call and chats in French
    and in English, so that each page shows the bot's words in the other language too."""
    with live.factory() as s:
        ids = list(s.scalars(select(Conversation.id).order_by(Conversation.id)))
    assert len(ids) >= 3, ids
    return ["/console/conversations"] + [f"/console/conversations/{i}" for i in ids]


def read_in(
    language: str, paths: list[str], live: LiveConsole, page: Page, browser: Browser
) -> dict[str, list[str]]:
    """What is not in `language` on each page; the login form read first, logged out."""
    found: dict[str, list[str]] = {}
    stranger = browser.new_context(locale="fr-FR")
    login = stranger.new_page()
    login.goto(f"{live.url}/console/login?lang={language}")
    found["login"] = problems(login, language)
    stranger.close()

    log_in_as_dispatcher(page, live)
    for path in paths:
        joiner = "&" if "?" in path else "?"
        page.goto(f"{live.url}{path}{joiner}lang={language}")
        assert page.locator("html").get_attribute("lang") == language, path
        found[path] = problems(page, language)
    return found


def nothing_wrong(found: dict[str, list[str]]) -> None:
    wrong = {path: lines for path, lines in found.items() if lines}
    listed = (f"{path}\n  " + "\n  ".join(lines) for path, lines in wrong.items())
    assert wrong == {}, "\n".join(listed)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_speaks_only_the_language_chosen(
    live: LiveConsole, page: Page, browser: Browser, screens: Screens, language: str
) -> None:
    demo = seed(live)
    found = read_in(language, console_pages(demo), live, page, browser)
    screens.shot(page, f"last-page-{language}")
    nothing_wrong(found)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_conversations_pages_speak_only_the_language_chosen(
    live: LiveConsole, page: Page, browser: Browser, language: str
) -> None:
    seed(live)
    nothing_wrong(read_in(language, conversation_pages(live), live, page, browser))
