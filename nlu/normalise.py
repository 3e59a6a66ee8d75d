"""Text normalisation shared by the classifiers and the entity extractors.

Two functions with different contracts:

- `fold` keeps the length: one output character per input character (lowercase, accents
  stripped, curly apostrophes straightened, control characters blanked). Entity extractors
  match on the folded text and their offsets are valid in the original text.
- `normalise` is for the classifiers only: it also expands SMS spellings ("jsuis", "qqn",
  "thx"), names emojis, and squeezes letters typed three times or more ("merciiii"), so that
  a Telegram message and a speech transcript of the same words look alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-"}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    if char in _DASHES:
        return "-"
    category = unicodedata.category(char)
    if category[0] == "C" or category == "Zs":  # control, format, surrogate; odd spaces
        return " "
    lowered = char.lower()
    if len(lowered) != 1:  # "İ".lower() is two characters: keep the length promise
        lowered = lowered[0]
    base = unicodedata.normalize("NFD", lowered)[0]  # "é" -> "e" + combining accent
    return base if base.isascii() else lowered


def fold(text: str) -> str:
    """Lowercase and strip accents, one character for one: offsets stay valid."""
    if text.isascii():  # the common case, fast
        return "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text).lower()
    return "".join(_fold_char(c) for c in text)


# SMS and chat spellings seen in French and English messages, mapped to the words a speaker
# would say. Only whole tokens are replaced; the character n-grams cover the rest.
SMS_SPELLINGS: dict[str, str] = {
    # French
    "jsuis": "je suis",
    "chui": "je suis",
    "chuis": "je suis",
    "jsui": "je suis",
    "jveux": "je veux",
    "jvoudrais": "je voudrais",
    "jpeux": "je peux",
    "jpe": "je peux",
    "jai": "j'ai",
    "g": "j'ai",
    "jaurais": "j'aurais",
    "jsp": "je ne sais pas",
    "jme": "je me",
    "jte": "je te",
    "jvais": "je vais",
    "jvai": "je vais",
    "pr": "pour",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pcq": "parce que",
    "pcq'": "parce que",
    "stp": "s'il te plait",
    "svp": "s'il vous plait",
    "slvp": "s'il vous plait",
    "qqn": "quelqu'un",
    "qqun": "quelqu'un",
    "qq1": "quelqu'un",
    "kelkun": "quelqu'un",
    "qqch": "quelque chose",
    "qqc": "quelque chose",
    "qq": "quelques",
    "dispo": "disponible",
    "dispos": "disponibles",
    "bcp": "beaucoup",
    "bcq": "beaucoup",
    "slt": "salut",
    "bjr": "bonjour",
    "bsr": "bonsoir",
    "cc": "coucou",
    "mrc": "merci",
    "mci": "merci",
    "msi": "merci",
    "tkt": "t'inquiete",
    "auj": "aujourd'hui",
    "ajd": "aujourd'hui",
    "aujd": "aujourd'hui",
    "dem1": "demain",
    "2m1": "demain",
    "2main": "demain",
    "ds": "dans",
    "vs": "vous",
    "ns": "nous",
    "tt": "tout",
    "tte": "toute",
    "ts": "tous",
    "tjs": "toujours",
    "tjrs": "toujours",
    "mm": "meme",
    "rdv": "rendez-vous",
    "c": "c'est",
    "ya": "il y a",
    "y'a": "il y a",
    "yen": "il y en",
    "kan": "quand",
    "qd": "quand",
    "koi": "quoi",
    "ki": "qui",
    "ke": "que",
    "keske": "qu'est-ce que",
    "pa": "pas",
    "ok": "ok",
    "oki": "ok",
    "okay": "ok",
    "dac": "d'accord",
    "dak": "d'accord",
    "dacc": "d'accord",
    "ouais": "oui",
    "ouai": "oui",
    "wesh": "salut",
    "bb": "bebe",
    "rien2": "de rien",
    "jtm": "je t'aime",
    "mdr": "rire",
    "lol": "rire",
    "xd": "rire",
    "urgt": "urgent",
    "asap": "vite",
    "nn": "non",
    "nan": "non",
    "non2": "non",
    # English
    "thx": "thanks",
    "thks": "thanks",
    "thanx": "thanks",
    "tnx": "thanks",
    "ty": "thank you",
    "tyvm": "thank you very much",
    "pls": "please",
    "plz": "please",
    "plez": "please",
    "u": "you",
    "ur": "your",
    "r": "are",
    "im": "i'm",
    "ive": "i've",
    "cant": "can't",
    "dont": "don't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "2moro": "tomorrow",
    "2day": "today",
    "2nite": "tonight",
    "tonite": "tonight",
    "b4": "before",
    "gr8": "great",
    "sb": "somebody",
    "sm1": "someone",
    "some1": "someone",
    "any1": "anyone",
    "ppl": "people",
    "w/": "with",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "have to",
    "yep": "yes",
    "yup": "yes",
    "yeah": "yes",
    "nope": "no",
    "nah": "no",
    "k": "ok",
    "kk": "ok",
    "hru": "how are you",
    "idk": "i don't know",
    "btw": "by the way",
    "np": "no problem",
}

_TOKEN_RE = re.compile(r"[\w'-]+|[^\w\s]", re.UNICODE)
_REPEATS_RE = re.compile(r"(\w)\1{2,}")
_PUNCT_RUN_RE = re.compile(r"([!?.])\1+")


@lru_cache(maxsize=2048)
def _emoji_token(char: str) -> str:
    """`👍` -> `emo_thumbs_up_sign`: a token the classifier can learn from."""
    try:
        name = unicodedata.name(char)
    except ValueError:
        return " "
    return " emo_" + re.sub(r"\W+", "_", name.lower()).strip("_") + " "


def _is_symbol(char: str) -> bool:
    # U+FFFD is what a failed decoding leaves, not an emoji somebody chose
    return unicodedata.category(char) in ("So", "Sk") and ord(char) > 0x2000 and char != "\ufffd"


_BINARY_CATEGORIES = frozenset({"Cc", "Cn", "Cs", "Co"})


def looks_binary(text: str) -> bool:
    """Mostly control characters, unassigned code points or decoding leftovers: bytes pasted
    as text (a file, an escape sequence), which no model should read a meaning into."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return False
    garbage = sum(
        1 for c in visible if c == "\ufffd" or unicodedata.category(c) in _BINARY_CATEGORIES
    )
    return garbage * 4 >= len(visible)


def normalise(text: str) -> str:
    """The classifiers' view of a message (not offset-preserving)."""
    folded = fold(text)
    if not folded.isascii():
        folded = "".join(_emoji_token(c) if _is_symbol(c) else c for c in folded)
    folded = _REPEATS_RE.sub(r"\1\1", folded)
    folded = _PUNCT_RUN_RE.sub(r"\1", folded)
    tokens = [SMS_SPELLINGS.get(tok, tok) for tok in _TOKEN_RE.findall(folded)]
    return " ".join(_spoken(tokens))


# Hesitations a speech recogniser writes down: they say nothing about what is wanted, in any
# intent. Words that can mean something ("bon", "voila", "alors", "hein", "oui") stay.
FILLER_WORDS = frozenset(
    str.split("euh heu euhm hum hmm hm bah ben beh bof um umm uh uhm er erm ehm")
)
FILLER_PAIRS = frozenset({("en", "fait"), ("tu", "vois"), ("vous", "voyez"), ("you", "know")})
# Homophones a French recogniser writes for what was said, by the word around them.
# "sa" is "ça" before a verb or a pronoun, at the end and in "comme sa", not before a noun.
_CA_NEXT = frozenset(
    str.split(
        "va vas ira irait marche marchait coule fait faisait fonctionne sonne brule serre"
        " me m'a m'arrive m'embete te lui ne n'est n'a n'y y sera serait suffit ira peut"
        " pourrait doit devrait tombe tourne"
    )
)
_CA_PREVIOUS = frozenset({"comme"})  # not "pour", "avec", "de": "pour sa fille"
_VERS_NEXT = frozenset(
    str.split(
        "le la les l'hopital l'heure midi une deux trois quatre cinq six sept huit neuf dix"
        " onze douze treize quatorze quinze seize dix-sept dix-huit chez"
    )
)
ASR_PAIRS: dict[tuple[str, str], tuple[str, ...]] = {
    ("a", "nuler"): ("annuler",),
    ("a", "nulle"): ("annuler",),
    ("a", "nuller"): ("annuler",),
    ("mais", "courses"): ("mes", "courses"),
    ("mais", "commissions"): ("mes", "commissions"),
    ("mais", "medicaments"): ("mes", "medicaments"),
}
ASR_WORDS = {"anuler": "annuler", "anulle": "annuler", "nuler": "annuler"}


def _spoken(tokens: list[str]) -> list[str]:
    """Speech-transcript noise out: hesitations, false starts ("je je voudrais", "il faudrait
    il faudrait"), and homophones the recogniser confuses. Applied to training and parsed
    text alike, so both sides of the model see the same words."""
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else ""
        if tok in FILLER_WORDS:
            i += 1
            continue
        if (tok, nxt) in FILLER_PAIRS:
            i += 2
            continue
        pair = ASR_PAIRS.get((tok, nxt))
        if pair is not None:
            out.extend(pair)
            i += 2
            continue
        tok = ASR_WORDS.get(tok, tok)
        if tok == "ne":  # spoken French drops it: "je peux pas" is "je ne peux pas"
            i += 1
            continue
        if tok.startswith("n'") and len(tok) > 2:
            tok = tok[2:]
        if tok == "sa" and (
            not nxt or nxt in _CA_NEXT or (out and out[-1] in _CA_PREVIOUS) or not nxt.isalpha()
        ):
            tok = "ca"
        elif tok == "vert" and nxt in _VERS_NEXT:
            tok = "vers"
        if out and tok == out[-1] and tok.isalpha():  # "je je", "oui oui"
            i += 1
            continue
        if len(out) >= 2 and tok == out[-2] and nxt == out[-1] and tok.isalpha():
            i += 2  # "je voudrais je voudrais": the second pair is the false start
            continue
        out.append(tok)
        i += 1
    return out
