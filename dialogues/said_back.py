"""A person's words as they are read back to them: without the fillers and the brackets.

"euh ben du pain, et bon, des yaourts voilà" is read back "du pain, et des yaourts". What is
stored stays as it was said; only what is read back is cleaned. Hesitations ("euh", "um")
go wherever they are; discourse words ("bon", "alors", "voilà", "well", "so") only where
they are fillers: at the start or end of a clause, or before a word that starts one ("bon
je", "alors euh"), so that "un bon pain" and "alors que" keep theirs. Bracketed text ("(banque
de temps)") is a note for the eye, not for the ear: it goes, brackets and all.
"""

from __future__ import annotations

import re

_HESITATIONS = {
    "fr": r"e+u+h+|h+e+u+h*|hum+|hm+|mm+|bah|hein|pff+",
    "en": r"u+m+|u+h+m*|e+r+m*|e+h+|hm+|mm+|a+h+",
}
# "ben" is a filler, "Ben" in the middle of a sentence is someone.
_CASED_HESITATIONS = {"fr": r"ben", "en": r"(?!)"}
# Fillers at the start of a clause, or before a word that starts one.
_DISCOURSE = {
    "fr": r"ben voilà|et voilà|du coup|en fait|bon|alors|voilà|voila|bref|enfin|donc",
    "en": r"okay so|ok so|you know|i mean|well|so",
}
# Fillers at the end of one ("des yaourts voilà", "du pain quoi"); "c'est bon" is no filler.
_CLOSING = {
    "fr": r"ben voilà|et voilà|voilà|voila|quoi|bref|en fait|du coup|hein",
    "en": r"you know|i mean",
}
# Words that start a clause: pronouns, conjunctions, articles. "de" only after a filler
# that is no noun: "un bon de commande" keeps its "bon".
_CLAUSE_START = {
    "fr": r"je|j'|j’|il|elle|on|nous|vous|ils|elles|ça|ca|c'|c’|ce|et|mais|si|faut|y"
    r"|le|la|les|l'|l’|un|une|des|du|mon|ma|mes|pour|par|en|au|aux",
    "en": r"i|i'm|i'd|it|it's|we|you|he|she|they|the|a|an|my|and|but|if|there",
}
_OF = {"fr": r"de|d'|d’", "en": r"(?!)"}
_KEEP_AFTER = {"fr": r"que|qu'|qu’", "en": r"that|much|many|far"}  # "alors que", "so much"
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|[()\[\]{}]")
_EDGE = r"(?:^|(?<=[,;:.!?…]))\s*"
_ALONE = r"(?![\w'’-])"  # a whole word
_AFTER_WORD = r"(?<![\w'’-])"


def _patterns(language: str) -> list[re.Pattern[str]]:
    lang = language if language in _HESITATIONS else "fr"
    i = re.IGNORECASE
    filler = rf"(?:{_DISCOURSE[lang]})"
    starts = rf"(?:{_CLAUSE_START[lang]}){_ALONE}"
    not_bon = rf"(?!bon\b)(?:{_DISCOURSE[lang]})"
    return [
        re.compile(rf"{_AFTER_WORD}(?:{_HESITATIONS[lang]}){_ALONE}\s*[,.…]*", i),
        re.compile(rf"{_AFTER_WORD}(?:{_CASED_HESITATIONS[lang]}){_ALONE}\s*[,.…]*"),
        re.compile(rf"{_EDGE}[Bb]en{_ALONE}\s*[,.…]*" if lang == "fr" else r"(?!)"),
        # At the start of a clause, unless a "que" follows ("alors qu'il pleut").
        re.compile(rf"{_EDGE}{filler}{_ALONE}(?!\s+(?:{_KEEP_AFTER[lang]}))\s*[,.…]*\s*", i),
        # At the end of one.
        re.compile(rf"{_AFTER_WORD}(?:{_CLOSING[lang]}){_ALONE}(?=\s*(?:[,;:.!?…]|$))", i),
        # Before a word that starts a clause: "et bon des yaourts", "alors je voudrais".
        re.compile(rf"{_AFTER_WORD}{filler}\s*,?\s+(?={starts})", i),
        re.compile(rf"{_AFTER_WORD}{not_bon}\s*,?\s+(?=(?:{_OF[lang]}))", i),
    ]


def said_back(text: str, language: str = "fr") -> str:
    """What someone said, cleaned to be read back to them (or to a helper)."""
    text = _BRACKETS.sub(" ", text or "")
    text = text.replace("...", "…")
    for _ in range(2):  # "euh ben voilà": one filler uncovers the next
        for pattern in _patterns(language):
            text = pattern.sub(" ", text)
    words = text.split()
    # A stutter ("je je voudrais"), not "nous nous voyons".
    kept = [
        w
        for i, w in enumerate(words)
        if i == 0 or w.lower() != words[i - 1].lower() or w.lower() in ("nous", "vous")
    ]
    text = " ".join(kept)
    text = text.replace("…", ",")
    text = re.sub(r"\s+([,.])", r"\1", text)  # no blank before a comma or a full stop
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)  # ", ," -> ","
    text = re.sub(r"([.!?])[.!?,;:]+", r"\1", text)  # "!!", "?." -> one mark
    text = re.sub(r",(\s*[.!?])", r"\1", text)
    return text.strip(" ,;:").strip()
