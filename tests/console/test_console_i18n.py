from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from console.i18n import LANGUAGES, Translator, catalogue, pick_language
from tests.console.console_helpers import log_in, make_staff

PLACEHOLDER = re.compile(r"{(\w+)}")
TEMPLATES = Path(__file__).parents[2] / "console" / "templates"


def test_french_and_english_hold_the_same_keys_and_placeholders() -> None:
    fr, en = catalogue("fr"), catalogue("en")
    assert fr.keys() == en.keys()
    for key in fr:
        assert set(PLACEHOLDER.findall(fr[key])) == set(PLACEHOLDER.findall(en[key])), key


def test_every_key_the_templates_use_exists() -> None:
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_.]+[a-z_])["']\s*[,)]""", template.read_text()))
    for language in LANGUAGES:
        missing = used - catalogue(language).keys()
        assert not missing, f"{language}: {sorted(missing)}"


def test_placeholders_are_filled() -> None:
    assert Translator("fr")("conv.caption", count=3).startswith("3 conversations")


def test_language_choice_explicit_then_remembered_then_browser() -> None:
    assert pick_language("en", "fr", "fr-FR") == "en"
    assert pick_language(None, "en", "fr-FR") == "en"
    assert pick_language(None, None, "en-GB,en;q=0.9") == "en"
    assert pick_language("de", None, "de-DE") == "fr"


def test_switching_language_keeps_the_page_and_its_query(
    client: TestClient, session: Session
) -> None:
    make_staff(session, "claire")
    log_in(client, "claire")
    page = client.get("/console/dashboard?days=7")
    assert 'href="/console/dashboard?days=7&amp;lang=en"' in page.text


def test_the_ledgers_own_memos_are_translated_and_typed_ones_kept() -> None:
    from console.formatting import memo

    fr, en = Translator("fr"), Translator("en")
    assert memo("time credits for job 28", fr) == "Crédits temps du service rendu"
    assert memo("refund of transfer 3", en) == "Refund of movement no. 3"
    assert memo("réservé : soutien scolaire samedi", en) == "réservé : soutien scolaire samedi"
    assert memo("", fr) == "—"
