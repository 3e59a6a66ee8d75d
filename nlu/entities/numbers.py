"""Numbers written as words, as speech recognition often writes them ("quatorze", "twenty").

Works on folded text (lowercase, no accents). Covers 0-100 in French and English, which is
enough for hours, durations and small prices.
"""

from __future__ import annotations

import re

_FR_UNITS = {
    "zero": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
}
_FR_TENS = {
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "quatre-vingt": 80,
    "quatre-vingts": 80,
    "quatre vingt": 80,
    "quatre vingts": 80,
}
_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}


def _build() -> dict[str, int]:
    words: dict[str, int] = {}
    words.update(_FR_UNITS)
    words.update(_EN_UNITS)
    for ten_word, ten in _EN_TENS.items():
        words[ten_word] = ten
        for unit_word, unit in list(_EN_UNITS.items())[2:10]:  # one..nine
            words[f"{ten_word}-{unit_word}"] = ten + unit
            words[f"{ten_word} {unit_word}"] = ten + unit
    for ten_word, ten in _FR_TENS.items():
        words[ten_word] = ten
        for sep in ("-", " "):
            for unit_word, unit in _FR_UNITS.items():
                if unit == 0 or (unit > 9 and ten not in (60, 80)):
                    continue
                if unit == 1 and ten not in (80,):  # "vingt et un", "soixante et onze"
                    words[f"{ten_word} et un"] = ten + 1
                    words[f"{ten_word}-et-un"] = ten + 1
                    continue
                words[f"{ten_word}{sep}{unit_word}"] = ten + unit
    for sep in ("-", " "):
        words[f"dix{sep}sept"] = 17
        words[f"dix{sep}huit"] = 18
        words[f"dix{sep}neuf"] = 19
        words[f"soixante{sep}dix"] = 70
        words[f"quatre-vingt{sep}dix"] = 90
        words[f"quatre vingt{sep}dix"] = 90
        for unit_word, unit in (("sept", 7), ("huit", 8), ("neuf", 9)):
            words[f"soixante{sep}dix{sep}{unit_word}"] = 70 + unit
            words[f"quatre-vingt{sep}dix{sep}{unit_word}"] = 90 + unit
    words["soixante et onze"] = 71
    words["cent"] = 100
    words["hundred"] = 100
    words["a hundred"] = 100
    words["one hundred"] = 100
    return words


NUMBER_WORDS: dict[str, int] = _build()


def _alternatives(words: list[str]) -> str:
    # Longest alternatives first so "vingt-deux" wins over "vingt".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


NUMBER_PATTERN = r"(?:\d{1,3}|" + _alternatives(list(NUMBER_WORDS)) + r")"
# Without the articles ("a", "an", "un", "une"): for places where an article is not a number
# ("a march" is not the first of March).
COUNT_PATTERN = (
    r"(?:\d{1,3}|"
    + _alternatives([w for w in NUMBER_WORDS if w not in ("a", "an", "un", "une")])
    + r")"
)


def to_int(word: str) -> int | None:
    """`"14"` -> 14, `"quatorze"` -> 14, `"twenty-two"` -> 22; None when not a number."""
    word = word.strip()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(re.sub(r"\s+", " ", word))
