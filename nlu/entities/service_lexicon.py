"""The `service` entity from its wording: a lexicon built from the training data.

Entries come from (1) `synonym:` blocks whose value is a service id, (2) every span the
examples annotate as `service`, (3) `lookup:` tables named after a service id, and (4) single
words that, across the annotated spans, point to one service and mostly occur inside service
spans ("pelouse", "ordinateur"). Matching is on folded tokens, longest phrase first; a word
unknown to the training data is fuzzy-matched (rapidfuzz) against the one-word entries, so
"courrses" and "shoping" still find their service.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from nlu.normalise import fold
from nlu.training_data import TrainingData

_WORD_RE = re.compile(r"\w+")
MAX_PHRASE_TOKENS = 6
_MIN_FUZZY_LENGTH = 5
# 'courrses' -> 'courses' scores 93; 'accoucher' -> 'accrocher' (89) is another word.
FUZZY_CUTOFF = 90.0
# Function words never become one-word entries, however pure their statistics look.
FUNCTION_WORDS = frozenset(
    str.split(
        "les des une pour avec dans mon mes ton tes son ses notre votre leur elle elles nous vous"
        " faire fait aller venir besoin aide aider quelqu quelqu'un the and for with my your"
        " his her our their to of in on at need help someone somebody can could would chez"
        " sur sous avec sans vers from into onto over under after before this that there"
        # words of several services: "garde" (children, pets), "sortie" (school, outing)
        " garde sortie"
    )
)
# Phrases that look like a service entry and are none: English "of course" is no errand.
NOT_SERVICES = frozenset({("of", "course")})


def tokens(folded: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(folded)]


@dataclass(frozen=True)
class ServiceMatch:
    start: int
    end: int
    service: str
    score: float  # 1.0 for an exact entry, the fuzzy ratio / 100 otherwise
    fuzzy: bool


@dataclass
class ServiceLexicon:
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    vocabulary: frozenset[str] = frozenset()  # every word of the training data
    one_word: list[str] = field(default_factory=list)  # the fuzzy-match candidates

    @property
    def services(self) -> list[str]:
        return sorted(set(self.phrases.values()))

    @classmethod
    def build(cls, data: TrainingData, service_ids: Iterable[str] = ()) -> ServiceLexicon:
        ids = set(service_ids) | {
            e.value for ex in data.examples for e in ex.entities if e.entity == "service"
        }
        votes: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)

        def vote(phrase: str, service: str, weight: int = 1) -> None:
            key = tuple(t for t, _, _ in tokens(fold(phrase)))
            if key and len(key) <= MAX_PHRASE_TOKENS:
                votes[key][service] += weight

        for surface, value in data.synonyms.items():
            if value in ids:
                vote(surface, value, 3)  # a synonym is a deliberate statement: weigh it more
        for name, entries in data.lookups.items():
            if name in ids:
                for entry in entries:
                    vote(entry, name, 3)
        span_words: dict[str, Counter[str]] = defaultdict(Counter)
        all_words: Counter[str] = Counter()
        for example in data.examples:
            all_words.update(t for t, _, _ in tokens(fold(example.text)))
            for ent in example.entities:
                if ent.entity == "service" and ent.value in ids:
                    vote(ent.text, ent.value)
                    for word, _, _ in tokens(fold(ent.text)):
                        span_words[word][ent.value] += 1
        for word, per_service in span_words.items():
            service, count = per_service.most_common(1)[0]
            in_spans = sum(per_service.values())
            if (
                len(word) >= 4
                and word not in FUNCTION_WORDS
                and not word.isdigit()
                and count >= 2
                and count / in_spans >= 0.8  # points to one service
                and in_spans / max(all_words[word], 1) >= 0.5  # and is mostly inside spans
            ):
                votes[(word,)].setdefault(service, 0)
                votes[(word,)][service] += 1
        phrases: dict[tuple[str, ...], str] = {}
        for key, counter in votes.items():
            ranked = counter.most_common(2)
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:  # ties: ambiguous, dropped
                phrases[key] = ranked[0][0]
        vocabulary = frozenset(all_words) | frozenset(w for k in phrases for w in k)
        one_word = sorted(k[0] for k in phrases if len(k) == 1 and len(k[0]) >= 4)
        return cls(phrases, vocabulary, one_word)

    def match(self, folded: str) -> list[ServiceMatch]:
        words = tokens(folded)
        found: list[ServiceMatch] = []
        i = 0
        while i < len(words):
            if tuple(w for w, _, _ in words[i : i + 2]) in NOT_SERVICES:
                i += 2
                continue
            for n in range(min(MAX_PHRASE_TOKENS, len(words) - i), 0, -1):
                key = tuple(w for w, _, _ in words[i : i + n])
                service = self.phrases.get(key)
                if service is not None:
                    end = words[i + n - 1][2]
                    found.append(ServiceMatch(words[i][1], end, service, 1.0, False))
                    i += n
                    break
            else:
                word, start, end = words[i]
                fuzzy = self._fuzzy(word)
                if fuzzy is not None:
                    found.append(ServiceMatch(start, end, fuzzy[0], fuzzy[1], True))
                i += 1
        return found

    def _fuzzy(self, word: str) -> tuple[str, float] | None:
        # Only words the training data never used can be typos: "courrses", "shoping".
        if len(word) < _MIN_FUZZY_LENGTH or word in self.vocabulary or word.isdigit():
            return None
        best = process.extractOne(word, self.one_word, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return None
        return self.phrases[(best[0],)], best[1] / 100.0
