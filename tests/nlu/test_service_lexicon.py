from __future__ import annotations

import pytest

from nlu.entities.service_lexicon import ServiceLexicon
from nlu.normalise import fold
from nlu.training_data import TrainingData


@pytest.fixture(scope="module")
def lexicon(training_data: TrainingData) -> ServiceLexicon:
    return ServiceLexicon.build(training_data)


@pytest.mark.parametrize(
    ("text", "span", "service"),
    [
        ("jai besoin de qqn pr mes courrses", "courrses", "errands"),
        ("du jardinage samedi", "jardinage", "gardening"),
        ("need help with shoping", "shoping", "errands"),
        ("someone to do my shopping", "shopping", "errands"),
    ],
)
def test_service_words_and_typos_map_to_the_id(
    lexicon: ServiceLexicon, text: str, span: str, service: str
) -> None:
    (match,) = lexicon.match(fold(text))
    assert span in text[match.start : match.end]  # the span may take in "my", "do my"...
    assert match.service == service


def test_known_words_are_never_fuzzy_matched(lexicon: ServiceLexicon) -> None:
    assert all(not m.fuzzy for m in lexicon.match(fold("bonjour merci au revoir")))
