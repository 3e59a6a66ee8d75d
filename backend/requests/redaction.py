"""A request's free-text details as a helper who is not (yet) assigned may read them.

DESIGN.md, personal data: a helper sees the requester's exact address and phone only once
assigned. Residents write both into the details ("digicode 4512B, 3e étage, appelez mon fils
au 06 12 34 56 78"), so every view of a request offered but not given to someone (the offer
message on Telegram, SMS or a call, the REST API) shows `mask_details(details)`: what the
job is stays readable, how to find the door or reach the person does not.

What is masked, in this order (each step sees the markers of the previous ones, which
contain no digits, so masking twice changes nothing):

1. e-mail addresses;
2. phone numbers, as `phonenumbers.PhoneNumberMatcher` finds them (French, British and
   North American writing, any international one);
3. door codes: "code 1234A", "digicode : 45B12", "interphone Dupont", "door code #1234";
4. street addresses: "12 rue ...", "au 5 bis avenue ...", "3, Grande Rue de la
   Croix-Rousse", "221B Baker Street";
5. floors, flats, buildings, staircases: "3e étage", "appartement 12", "bât. B", "flat 4";
6. what is left of long digit runs (six digits or more): account numbers, numbers the
   matcher does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

_MARKS: dict[str, dict[str, str]] = {
    "fr": {
        "email": "[e-mail masqué]",
        "phone": "[numéro masqué]",
        "address": "[adresse masquée]",
        "floor": "[étage masqué]",
        "value": "[masqué]",
    },
    "en": {
        "email": "[e-mail hidden]",
        "phone": "[number hidden]",
        "address": "[address hidden]",
        "floor": "[floor hidden]",
        "value": "[hidden]",
    },
}

# Regions whose national writing is recognised; international numbers (+.. or 00..) are
# recognised whatever the region.
_PHONE_REGIONS = ("FR", "GB", "US")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# A code's value holds a digit ("4512", "45B12", "#1234*"); a doorbell's may be a name.
_VALUE = r"[#*]?[\w#*-]*\d[\w#*-]*(?:[ -][#*]?[\w#*-]*\d[\w#*-]*)*"
_LINK = r"(?:\s*[:=#]|\s*n[°º]|\s+(?i:est|is|c'est|c’est|au\s+nom\s+de|under|le|the|de|of))*\s*"
_APOSTROPHE = r"['’]"
_CODE = re.compile(
    r"(?P<kw>(?i:\b(?:digicode|(?:door|entry|access|gate|keypad|building|key\s?safe)\s+code|"
    rf"code(?:\s+(?:d{_APOSTROPHE}entr[ée]e|de\s+la\s+porte|de\s+l{_APOSTROPHE}immeuble|"
    rf"du\s+portail|d{_APOSTROPHE}acc[èe]s|porte|portail|immeuble))?)\b)"
    rf"{_LINK})(?P<value>{_VALUE})"
)
_BELL = re.compile(
    r"(?P<kw>(?i:\b(?:interphone|intercom|buzzer|sonnette|doorbell)\b)"
    rf"{_LINK})(?P<value>{_VALUE}|[A-ZÀ-Þ][\w'’-]+(?:\s[A-ZÀ-Þ][\w'’-]+)?)"
)

_STREET_TYPES_FR = (
    r"rue|grande[\s-]rue|avenue|av\.?|bd|boulevard|place|pl\.|quai|impasse|allée|allee|"
    r"chemin|ch\.|cours|montée|montee|passage|square|route|rte|voie|sentier|cité|cite|"
    r"résidence|residence|lotissement|faubourg|fbg|clos|parvis|esplanade|promenade|rampe|"
    r"traboule|hameau|lieu[\s-]dit|villa|ruelle|rond[\s-]point"
)
_STREET_TYPES_EN = (
    r"street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|drive|dr\.?|place|square|sq\.?|"
    r"court|ct\.?|close|way|terrace|crescent|boulevard|blvd\.?|gardens|row|hill|mews|walk|"
    r"parade|grove|park"
)
_HOUSE_NUMBER = (
    r"(?:n°\s*|nº\s*|no\.?\s+)?\d{1,4}(?:\s?[-/]\s?\d{1,4})?"
    r"(?:\s?(?:bis|ter|quater)\b|[a-dA-D]\b)?,?"
)
# The street's name: up to six words, stopping at punctuation, at a number, or at a word
# that starts the rest of the sentence ("12 rue Dumenge et j'ai besoin...", "... demain").
_STOP = (
    r"et|ou|pour|puis|mais|près|pres|avec|car|donc|qui|que|au|aux|à|a|ai|est|sont|suis|dans|"
    r"le|la|les|l|du|des|de|d|"
    r"chez|entre|vers|avant|après|apres|devant|derrière|il|elle|on|nous|vous|je|j|me|m|mon|"
    r"ma|mes|merci|svp|stp|demain|aujourd|ce|cet|cette|matin|soir|midi|lundi|mardi|mercredi|"
    r"jeudi|vendredi|samedi|dimanche|semaine|heure|heures|h|code|digicode|interphone|étage|"
    r"etage|appartement|appart|apt|appt|bâtiment|batiment|bât|bat|escalier|esc|porte|"
    r"and|or|for|with|near|but|then|so|please|thanks|at|in|on|by|before|after|i|we|my|is|"
    r"are|the|which|who|tomorrow|today|tonight|morning|afternoon|evening|floor|flat"
)
_LINKING = r"(?i:de\s+la|de\s+l['’]|du|des|de|d['’]|la|le|les|l['’])"
_NAME_WORD = rf"(?!\d)(?!(?i:(?:{_STOP})\b))[\w'’.-]+"
_ADDRESS_FR = re.compile(
    rf"(?<![\w-]){_HOUSE_NUMBER}\s*(?i:(?:{_STREET_TYPES_FR}))(?!\w)"
    rf"(?:\s+(?:{_LINKING}\s*)?{_NAME_WORD}(?:[\s-]+(?:{_LINKING}\s*)?{_NAME_WORD}){{0,5}})?"
)
# "221B Baker Street", "10 Downing St": capitalised names before any street type; in lower
# case ("12 elm road"), only before an unmistakable one.
_ADDRESS_EN = re.compile(
    rf"(?<![\w-]){_HOUSE_NUMBER}\s*(?:"
    rf"(?:[A-Z][\w'’-]*\s+){{1,4}}(?i:(?:{_STREET_TYPES_EN}))"
    rf"|(?:(?!\d)[\w'’-]+\s+){{1,3}}(?i:street|road|avenue|lane|drive)"
    r")(?![\w])"
)

_ORDINAL_FR = (
    r"premier|première|deuxième|second|seconde|troisième|quatrième|cinquième|sixième|"
    r"septième|huitième|neuvième|dixième"
)
_ORDINAL_EN = r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
_FLOOR = re.compile(
    rf"(?i:\b(?:\d{{1,2}}\s?(?:e|è|ème|eme|er|ère|ere|re|°|st|nd|rd|th)|{_ORDINAL_FR}|"
    rf"{_ORDINAL_EN})\s+(?:étage|etage|floor)\b)"
)
_UNIT = re.compile(
    r"(?P<kw>(?i:\b(?:appartement|appart|appt|apt|apartment|flat|unit|logement|porte|door|"
    r"bâtiment|batiment|bât|bat|building|bldg|block|bloc|tour|escalier|esc|staircase|"
    r"étage|etage|floor|boîte\s+aux\s+lettres|boite\s+aux\s+lettres|bal|chambre|room)\b)"
    r"\.?\s*(?i:n°|nº|no\.?|#|numéro|numero|number)?\s*)"
    r"(?P<value>[A-Z]?\d{1,4}[A-Za-z]?\b|[A-Z]\b)"
)
# Six digits or more, in groups written "06 12", "06.12", "06-12" or "(010) 12".
_DIGIT_RUN = re.compile(r"(?<!\d)[+(]?\d(?:(?:[ .\-]|\)\s?|\s?\()?\d){5,}(?!\d)")


def mask_details(text: str, language: str = "fr") -> str:
    """`text` with e-mails, phone numbers, door codes, street addresses, floors and flats,
    and long digit runs replaced by a marker in `language` ("fr" or "en"): "digicode
    [masqué]", "au [adresse masquée]", "[numéro masqué]". Pure; idempotent."""
    if not text:
        return text
    marks = _MARKS.get(language, _MARKS["fr"])
    text = _EMAIL.sub(marks["email"], text)
    text = _mask_phones(text, marks["phone"])
    text = _CODE.sub(_keep("kw", then=marks["value"]), text)
    text = _BELL.sub(_keep("kw", then=marks["value"]), text)
    text = _ADDRESS_FR.sub(marks["address"], text)
    text = _ADDRESS_EN.sub(marks["address"], text)
    text = _FLOOR.sub(marks["floor"], text)
    text = _UNIT.sub(_keep("kw", then=marks["value"]), text)
    return _DIGIT_RUN.sub(marks["phone"], text)


def _mask_phones(text: str, mark: str) -> str:
    spans: set[tuple[int, int]] = set()
    for region in _PHONE_REGIONS:
        matcher = phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        )
        spans.update((m.start, m.end) for m in matcher)
    for start, end in sorted(_merge(spans), reverse=True):
        text = text[:start] + mark + text[end:]
    return text


def _merge(spans: set[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _keep(*groups: str, then: str) -> Callable[[re.Match[str]], str]:
    """A replacement that keeps the keyword ("digicode ") and masks only the value."""

    def replace(match: re.Match[str]) -> str:
        return "".join(match.group(g) or "" for g in groups) + then

    return replace
