"""Extra training rows in the two input styles, made from the normalised training texts.

People reach us by phone (speech transcripts: no punctuation, fillers, words dropped) and on
Telegram (typos). Each training example gets one variant in a style picked at random with a
fixed seed: the classifiers see "euh" or a slipped letter in every intent, not just where
someone happened to write one, so such noise stops pointing to a particular intent.
"""

from __future__ import annotations

import random
import re

FILLERS = {
    # "euh", "ben", "um" and the like are taken out by nlu.normalise before any model sees
    # them; these stay in and must be learnt as saying nothing.
    "fr": ("alors", "bon", "voila", "oui", "bon alors", "alors voila", "donc", "ah"),
    "en": ("well", "so", "right", "yes", "oh", "well so", "now", "ok"),
}
# Callers open with a greeting and close with thanks whatever they want; on the variants of
# intents that carry a message of their own, so that "bonjour" or "merci" alone decides nothing.
OPENERS = {
    "fr": (
        "allo bonjour",
        "oui bonjour",
        "allo oui bonjour madame",
        "bonjour monsieur",
        "salut",
        "allo oui bonjour excusez-moi de vous deranger",
        "bonjour c'est madame martin",
        "allo c'est monsieur bernard a l'appareil",
        "oui bonjour voila je vous appelle",
    ),
    "en": (
        "hello",
        "hello yes",
        "hi there",
        "good morning",
        "hiya",
        "hello sorry to bother you",
        "hello this is mrs taylor",
        "hello it's john here i'm ringing because",
    ),
}
# A recogniser writes the numbers it hears in words.
NUMBER_WORDS = {
    "fr": str.split(
        "zero un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze"
        " quinze seize dix-sept dix-huit dix-neuf vingt"
    ),
    "en": str.split(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen"
        " fourteen fifteen sixteen seventeen eighteen nineteen twenty"
    ),
}
CLOSERS = {
    "fr": ("merci", "merci beaucoup", "merci d'avance", "merci au revoir"),
    "en": ("thank you", "thanks", "thanks in advance", "cheers bye"),
}
WRAPPED_INTENTS = frozenset(
    str.split(
        "request_help offer_help check_status cancel_request change_request talk_to_human"
        " emergency report_problem give_feedback post_alert browse_listings payment_question"
    )
)
_PUNCT_OR_EMOJI = re.compile(r"emo_\w+|[^\w' -]")
_WORD = re.compile(r"[a-z]{4,}")


def voice_variant(text: str, language: str, rng: random.Random, wrap: bool = False) -> str:
    """What a speech recogniser might give: no punctuation or emojis, a filler or two; with
    `wrap`, sometimes a greeting before and thanks after."""
    words = _PUNCT_OR_EMOJI.sub(" ", text).split()
    if not words:
        return text
    numbers = NUMBER_WORDS.get(language, NUMBER_WORDS["fr"])
    words = [numbers[int(w)] if w.isdigit() and int(w) < len(numbers) else w for w in words]
    fillers = FILLERS.get(language, FILLERS["fr"])
    if wrap and rng.random() < 0.3:
        words[:0] = rng.choice(OPENERS.get(language, OPENERS["fr"])).split()
    if wrap and rng.random() < 0.15:
        words += rng.choice(CLOSERS.get(language, CLOSERS["fr"])).split()
    if rng.random() < 0.6:
        words.insert(0, rng.choice(fillers))
    if len(words) > 4 and rng.random() < 0.5:
        words.insert(rng.randrange(2, len(words)), rng.choice(fillers))
    if len(words) > 6 and rng.random() < 0.3:  # a word the recogniser lost
        del words[rng.randrange(1, len(words))]
    return " ".join(words)


def typo_variant(text: str, rng: random.Random) -> str:
    """One or two longer words with a letter dropped, doubled or swapped with the next."""
    spots = [m.span() for m in _WORD.finditer(text)]
    if not spots:
        return text
    chars = list(text)
    for start, end in sorted(rng.sample(spots, min(len(spots), rng.choice((1, 2)))), reverse=True):
        i = rng.randrange(start + 1, end - 1)
        kind = rng.random()
        if kind < 0.4:
            del chars[i]
        elif kind < 0.7:
            chars.insert(i, chars[i])
        else:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def augment(texts: list[str], languages: list[str], intents: list[str], seed: int) -> list[str]:
    """One variant per text (same order): half voice-style, half typed with typos."""
    rng = random.Random(seed)
    return [
        voice_variant(text, lang, rng, intent in WRAPPED_INTENTS)
        if rng.random() < 0.5
        else typo_variant(text, rng)
        for text, lang, intent in zip(texts, languages, intents, strict=True)
    ]
