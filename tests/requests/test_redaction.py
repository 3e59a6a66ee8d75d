"""What an offered (not yet assigned) helper reads of a request's details."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from backend.requests.redaction import mask_details

# (details as a resident writes them, what an offered helper reads)
FRENCH = [
    (
        "Digicode 4512B, 3e étage, porte gauche. Appelez mon fils au 06 12 34 56 78.",
        "Digicode [masqué], [étage masqué], porte gauche. Appelez mon fils au [numéro masqué].",
    ),
    (
        "J'habite au 5 bis avenue Jean Jaurès et j'ai besoin de courses",
        "J'habite au [adresse masquée] et j'ai besoin de courses",
    ),
    ("12 rue de la République, 69002 Lyon", "[adresse masquée], 69002 Lyon"),
    (
        "3, Grande Rue de la Croix-Rousse, bât. B, escalier C, appartement 12",
        "[adresse masquée], bât. [masqué], escalier [masqué], appartement [masqué]",
    ),
    (
        "le code est 4512, l'interphone au nom de Dupont",
        "le code est [masqué], l'interphone au nom de [masqué]",
    ),
    (
        "Sonnez à l'interphone Martin puis montez au 4ème étage",
        "Sonnez à l'interphone [masqué] puis montez au [étage masqué]",
    ),
    (
        "Code porte : 1234A. Mon mail: jeanne.roux@orange.fr",
        "Code porte : [masqué]. Mon mail: [e-mail masqué]",
    ),
    ("Tél. 04.78.00.00.01 ou 0033 6 12 34 56 78", "Tél. [numéro masqué] ou [numéro masqué]"),
    ("appelez le 06-12-34-56-78 ou le +33 (0)6 12 34 56 79", None),
    ("Mon voisin du 8 montée de la Grande Côte a les clés", None),
    ("au 18, rue Dumenge le matin", "au [adresse masquée] le matin"),
    (
        "Rendez-vous au 24 cours Général Giraud vers 10h",
        "Rendez-vous au [adresse masquée] vers 10h",
    ),
    (
        "Mme Martin, 7 place Bellevue, code 2580, 2ème étage gauche",
        "Mme Martin, [adresse masquée], code [masqué], [étage masqué] gauche",
    ),
    (
        "Prendre le 45 jusqu'au 7 quai Saint-Vincent puis sonnez",
        "Prendre le 45 jusqu'au [adresse masquée] puis sonnez",
    ),
    ("monter 3 cartons au troisième étage", "monter 3 cartons au [étage masqué]"),
    ("mon numéro: 06 12 34 56 7 (il manque un chiffre)", None),
    ("IBAN FR76 3000 6000 0112 3456 7890 189", "IBAN FR[numéro masqué]"),
]
ENGLISH = [
    (
        "Please call my daughter on +44 7700 900123, flat 4, 221B Baker Street",
        "Please call my daughter on [number hidden], flat [hidden], [address hidden]",
    ),
    (
        "Door code 1234*, 2nd floor, 10 Downing Street",
        "Door code [hidden], [floor hidden], [address hidden]",
    ),
    (
        "I live at 42 Elm Road, flat 3B, the door code is 1942",
        "I live at [address hidden], flat [hidden], the door code is [hidden]",
    ),
    ("12 elm road, please ring the buzzer twice", "[address hidden], please ring the buzzer twice"),
    ("Keysafe code 0451 by the door; the buzzer is 14", None),
    ("call (212) 555-0123 or 212-555-0199 after 6pm", None),
    ("Contact: marie_dupont+voisins@gmail.com", "Contact: [e-mail hidden]"),
]
HARMLESS = [
    "Des courses à la pharmacie",
    "Courses à la pharmacie, 2 paquets de couches, 150 euros max, vers 14h30 le 12/03/2026",
    "Le code postal est 69004, c'est à côté du marché",
    "de 9h à 11h, 25,50 € en 2024, bus 45, 2 kg de pommes",
    "Apporte 2 baguettes stp, j'ai 2 chats et 1 chien",
    "rendez-vous place Sathonay devant la boulangerie",
    "bring 2 loaves from the park, and 6 eggs",
    "Help carrying 3 boxes on Tuesday between 10 and 12",
]
SECRETS = re.compile(r"4512|06 12|04\.78|6 12 34|1234|2580|1942|0451|555|7700|@|rue|Road|Street")


@pytest.mark.parametrize(("details", "expected"), FRENCH)
def test_french_details_lose_their_addresses_numbers_and_codes(
    details: str, expected: str | None
) -> None:
    masked = mask_details(details, "fr")
    if expected is not None:
        assert masked == expected
    assert not SECRETS.search(masked), masked
    assert not re.search(r"\d{2}[ .-]?\d{2}[ .-]?\d{2}", masked), masked


@pytest.mark.parametrize(("details", "expected"), ENGLISH)
def test_english_details_lose_their_addresses_numbers_and_codes(
    details: str, expected: str | None
) -> None:
    masked = mask_details(details, "en")
    if expected is not None:
        assert masked == expected
    assert not SECRETS.search(masked), masked
    assert "hidden]" in masked


@pytest.mark.parametrize("details", HARMLESS)
def test_details_without_anything_personal_read_as_written(details: str) -> None:
    assert mask_details(details, "fr") == details
    assert mask_details(details, "en") == details


def test_an_unknown_language_is_masked_in_french() -> None:
    assert mask_details("digicode 12A4", "de") == "digicode [masqué]"


def _example_numbers() -> list[tuple[str, str, int]]:
    """Every example number phonenumbers knows, as (region, written form, format)."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(PhoneNumberType.VOICEMAIL + 1):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            for form in (
                PhoneNumberFormat.E164,
                PhoneNumberFormat.INTERNATIONAL,
                PhoneNumberFormat.NATIONAL,
            ):
                # A local number of five digits or fewer, written nationally, is not told
                # apart from a postcode or a quantity; written with its country code it is.
                short = len(phonenumbers.national_significant_number(number)) < 6
                if form == PhoneNumberFormat.NATIONAL and short:
                    continue
                found.append((region, phonenumbers.format_number(number, form), form))
    return found


EXAMPLES = _example_numbers()


def _survivors(masked: str, region: str) -> str:
    """The digits left; a lone national trunk prefix ("8" of "8 (912) 345-67-89") tells
    nothing."""
    digits = re.sub(r"\D", "", masked)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = (metadata.national_prefix if metadata else None) or ""
    return "" if digits == prefix else digits


def test_no_example_number_of_any_country_survives_masking() -> None:
    assert len(EXAMPLES) > 3000
    left = [
        (region, written, masked)
        for region, written, _form in EXAMPLES
        if _survivors(masked := mask_details(f"Appelez ma fille au {written} merci"), region)
    ]
    assert left == []


BEFORE = ["", "Appelez ", "tél : ", "Call me on ", "mon fils (", "Urgent! ", "numéro\n"]
AFTER = ["", " merci", ".", ")", ", avant midi", " or my son", "\nBisous"]
WORDS = st.sampled_from(
    ["courses", "pharmacie", "Jeanne", "please", "et", "le", "matin", "à", "ou", "sac", "lourd"]
)


@given(
    example=st.sampled_from(EXAMPLES),
    before=st.sampled_from(BEFORE),
    after=st.sampled_from(AFTER),
    words=st.lists(WORDS, max_size=6),
    language=st.sampled_from(["fr", "en"]),
)
def test_an_example_number_anywhere_in_details_never_survives(
    example: tuple[str, str, int], before: str, after: str, words: list[str], language: str
) -> None:
    region, written, _form = example
    text = " ".join(words) + " " + before + written + after + " " + " ".join(reversed(words))
    masked = mask_details(text, language)
    assert not _survivors(masked, region), (text, masked)
    assert mask_details(masked, language) == masked


@given(st.text(max_size=300), st.sampled_from(["fr", "en"]))
def test_masking_any_text_twice_changes_nothing_more(text: str, language: str) -> None:
    once = mask_details(text, language)
    assert mask_details(once, language) == once
