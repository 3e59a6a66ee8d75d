"""`place` and `person`: rules plus the phrases the training data annotates or looks up.

Both values are the words as the speaker said them. Street addresses and landmarks are
recognised by pattern; names after a title ("madame Martin", "Mr Smith") or an introduction
("je m'appelle ...", "my name is ..."); anything annotated as `place` or `person` in the
training data, or listed in a `place`/`person` lookup table, is matched as a whole phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlu.entities.numbers import COUNT_PATTERN
from nlu.normalise import fold

_PARTICLE = r"(?:(?:de la|de l'|du|des|de|d'|la|le|les|l'|saint|sainte|st|ste)\s*)?"
_STREET_FR = (
    r"rue|avenue|av\.?|boulevard|bd|allee|impasse|chemin|quai|residence|passage|square|cours"
    r"|place|route|cite|lotissement|hameau"
)
_STREET_ANYWHERE = r"rue|avenue|boulevard|allee|impasse|chemin|quai|residence"  # no number
_STREET_EN = r"street|st|road|rd|lane|ln|avenue|ave|drive|dr|close|way|crescent|terrace|court"

# A house number in digits ("5", "5 bis", "5b"), or in words as speech writes it ("cinq",
# "vingt et un"): words only after a cue ("au cinq rue ...", "habite cinq rue", "at five
# Baker Street"), since "deux cours de piano" is no address.
_SPELLED_NUM = (
    r"(?:(?<=\bau )|(?<=\ba )|(?<=\bnumero )|(?<=\bhabite )|(?<=\bat )|(?<=\bnumber )|^)"
    rf"{COUNT_PATTERN}"
)
_HOUSE_NUM = (
    rf"(?:\d{{1,4}}(?:\s?(?:bis|ter|quater)\b|[a-d]\b)?|{_SPELLED_NUM}(?:\s(?:bis|ter)\b)?)"
)
_ADDRESS_FR_RE = re.compile(
    rf"\b(?:(?P<num>{_HOUSE_NUM}),?\s+(?:(?:de la|du|des|de l'|d')\s*)?(?:{_STREET_FR})"
    rf"|(?:{_STREET_ANYWHERE}))\s+{_PARTICLE}(?P<name>[\w-]+)"
)
_ADDRESS_EN_RE = re.compile(
    rf"\b(?:(?:\d{{1,4}}[a-dA-D]?|(?i:{_SPELLED_NUM}))\s+)?(?:[A-Z][\w'-]+\s+){{1,3}}"
    rf"(?i:{_STREET_EN})\b\.?"
)
_ADDRESS_EN_NUMBER_RE = re.compile(
    rf"\b(?:\d{{1,4}}[a-d]?|{_SPELLED_NUM})\s+(?:[a-z][\w'-]*\s+){{1,3}}"
    rf"(?:{_STREET_EN}|grove|gardens|place|square)\b"
)
_LANDMARKS = (
    r"mairie|pharmacie|boulangerie|poste|eglise|gare|hopital|clinique|ecole|marche"
    r"|supermarche|epicerie|cimetiere|parc|bibliotheque|maison de retraite|ehpad"
    r"|centre commercial|arret de bus|salle des fetes|maison de quartier|centre social"
    r"|town hall|pharmacy|chemist|bakery|post office|church|station|hospital|school|market"
    r"|supermarket|library|park|cemetery|bus stop|community centre|community center|care home"
)
_LANDMARK_RE = re.compile(
    r"\b(?:devant|pres|a cote|en face|au coin|derriere|outside|near|next to|in front of|behind"
    r"|opposite|by)\s*(?:de |du |des |d'|of )?(?:la |le |l'|les |the )?"
    rf"(?P<lm>{_LANDMARKS})\b"
)

_TITLES = r"madame|monsieur|mme|mlle|mademoiselle|m\.|mr\.?|mrs\.?|ms\.?|miss|dr\.?|docteur|doctor"
_TITLE_RE = re.compile(rf"\b(?i:{_TITLES})\s+(?P<name>[\w'-]+)(?:\s+(?P<name2>[A-Z][\w'-]+))?")
_INTRO_RE = re.compile(
    r"\b(?:(?P<strong>je m'appelle|je me nomme|mon nom est|mon nom c'est|my name is|my name's"
    r"|call me)|c'est|ici|this is|it's|i am|i'm)\s+(?P<name>[\w'-]+)(?:\s+(?P<name2>[\w'-]+))?"
)


# Words that follow "c'est", "I'm" without being a name.
def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


_NOT_NAMES = _words(
    """
    a au aux de des du en et je la le les l' un une ma mon mes ta ton sa son pour pas plus
    tres trop bien bon bonne moi toi lui elle nous vous ca ce cet cette qui que quoi quand
    urgent grave possible pour ok oui non vrai faux fini tout toute rien personne moi-meme
    la-bas ici comme pareil dommage sur pret prete libre dispo disponible tombe tombee
    the an my your his her our their not so very too just really still also free available
    here there going looking calling trying fine ok okay sorry good happy done ready sure
    from in at on for to with about afraid alone new old sick ill stuck worried busy
    mister missus madam sir docteur doctor monsieur madame mr mrs ms dr mme mlle
    """
)


def extract_places(
    folded: str,
    original: str,
    gazetteer: Iterable[re.Pattern[str]] = (),
    common_words: frozenset[str] = frozenset(),
) -> list[tuple[int, int, str]]:
    found = []
    for m in _ADDRESS_FR_RE.finditer(folded):
        # "rue des lilas" needs an unusual word as its name; "12 rue de la gare" is an
        # address whatever its name, thanks to the number.
        if not m.group("num") and m.group("name") in common_words:
            continue
        end = _extend_name(folded, original, m.end(), common_words)
        found.append((m.start(), end, original[m.start() : end]))
    for m in _ADDRESS_EN_RE.finditer(original):  # capitals matter: "Baker Street"
        found.append((m.start(), m.end(), m.group(0)))
    for m in _ADDRESS_EN_NUMBER_RE.finditer(folded):  # "4 church lane": the number suffices
        found.append((m.start(), m.end(), original[m.start() : m.end()]))
    for m in _LANDMARK_RE.finditer(folded):
        found.append((m.start("lm"), m.end("lm"), original[m.start("lm") : m.end("lm")]))
    for regex in gazetteer:
        for m in regex.finditer(folded):
            # "au marché" is a place, "comment ça marche" is not: an ordinary word needs a
            # preposition or an article before it.
            ordinary = all(w in common_words for w in re.findall(r"\w+", m.group(0)))
            if ordinary and not _PLACE_CUE_BEFORE.search(
                folded[max(0, m.start() - 12) : m.start()]
            ):
                continue
            found.append((m.start(), m.end(), original[m.start() : m.end()]))
    return found


_PLACE_CUE_BEFORE = re.compile(
    r"(?:\b(?:au|aux|a|la|le|les|du|de|des|devant|pres|chez|vers|the|at|to|near|from|in)\s+"
    r"|\bl'|\bd')$"
)


def _extend_name(folded: str, original: str, end: int, common_words: frozenset[str]) -> int:
    """'12 rue Victor Hugo', 'avenue jean jaurès': take the words that continue the name
    (capitalised when typed; in a lowercase transcript, words that are not ordinary)."""
    lower = _lower(original)
    for _ in range(2):
        m = re.match(r"\s+(\w[\w-]*)", folded[end:])
        if not m:
            break
        word_start = end + m.start(1)
        ordinary = any(part in common_words for part in m.group(1).split("-"))
        if original[word_start].isupper() or (lower and not ordinary):
            end += m.end()
        else:
            break
    return end


def _is_name(word: str, common_words: frozenset[str]) -> bool:
    return word.lower() not in _NOT_NAMES and fold(word) not in common_words and word.isalpha()


def extract_people(
    folded: str,
    original: str,
    gazetteer: Iterable[re.Pattern[str]] = (),
    common_words: frozenset[str] = frozenset(),
) -> list[tuple[int, int, str]]:
    found = []
    for m in _TITLE_RE.finditer(original):
        if not _is_name(m.group("name").replace("-", ""), common_words):
            continue  # "madame euh", "le monsieur vient"
        end = m.end("name2") if m.group("name2") else m.end("name")
        found.append((m.start(), end, original[m.start() : end]))
    for m in _INTRO_RE.finditer(folded):
        capitalised = original[m.start("name")].isupper()
        # "c'est gentil", "i'm fine": after a weak cue only a capital makes a name; speech
        # transcripts have none, so there only "je m'appelle", "my name is" count.
        if m.group("name") in _NOT_NAMES or not (
            capitalised
            or (m.group("strong") and _lower(original) and m.group("name") not in common_words)
        ):
            continue
        end = m.end("name")
        second = m.group("name2")
        if second and second not in _NOT_NAMES and original[m.start("name2")].isupper():
            end = m.end("name2")
        found.append((m.start("name"), end, original[m.start("name") : end]))
    for regex in gazetteer:
        for m in regex.finditer(folded):
            # A typed name has its capital; in a transcript, "petit" is not Mrs Petit.
            if original[m.start()].isupper() or (
                _lower(original) and m.group(0) not in common_words
            ):
                found.append((m.start(), m.end(), original[m.start() : m.end()]))
    return found


def _lower(original: str) -> bool:
    """A speech transcript (all lowercase): capitals cannot tell names apart there."""
    return original == original.lower()


def gazetteer_patterns(phrases: Iterable[str]) -> list[re.Pattern[str]]:
    """One regex over the given phrases (already folded), whole words only."""
    unique = sorted({p.strip() for p in phrases if len(p.strip()) >= 3}, key=len, reverse=True)
    if not unique:
        return []
    return [re.compile(r"\b(?:" + "|".join(re.escape(p) for p in unique) + r")\b")]
