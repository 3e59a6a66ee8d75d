"""Confusions named in issue 13, on sentences of our own (not from any test set): each
must come out as the taxonomy says with the model trained on nlu/data."""

from __future__ import annotations

import pytest

from nlu import Interpreter
from nlu.evaluation import main_service
from nlu.training_data import TrainingData

CASES = [
    # a fall happening now, and one in the past that comes with a request
    ("je viens de tomber", "emergency", None),
    ("euh je viens de tomber dans la cuisine je peux pas me relever", "emergency", None),
    ("i've just fallen over and i can't get up", "emergency", None),
    ("je suis tombée hier alors il faudrait qqn pour mes courses", "request_help", "errands"),
    # no longer needing anyone cancels
    ("je n'ai plus besoin de personne", "cancel_request", None),
    ("i don't need anybody now", "cancel_request", None),
    # free on a day if someone needs: an offer; someone free to help me: a request
    ("je suis libre dimanche si quelqu'un a besoin d'aide", "offer_help", None),
    ("quelqu'un serait libre dimanche pour m'aider", "request_help", None),
    ("je peux plus tailler ma haie", "request_help", "gardening"),
    # status asked other ways
    ("alors il vient ou pas", "check_status", None),
    ("has anyone said yes yet", "check_status", None),
    # small talk
    ("il fait beau chez vous", "out_of_scope", None),
    ("is it going to rain later", "out_of_scope", None),
    # a greeting before the request does not make it a greeting
    ("allô oui bonjour c'est pour un coup de main pour mon jardin", "request_help", "gardening"),
]


@pytest.mark.parametrize(("text", "intent", "service"), CASES)
def test_known_confusion(
    interpreter: Interpreter,
    training_data: TrainingData,
    text: str,
    intent: str,
    service: str | None,
) -> None:
    if {e.language for e in training_data.examples} != {"fr", "en"}:
        pytest.skip("about the real training data (nlu/data/fr and nlu/data/en)")
    result = interpreter.parse(text)
    assert result["intent"]["name"] == intent
    assert main_service(result) == service


@pytest.mark.parametrize("text", ["of course i'd be happy to help someone this weekend"])
def test_no_service_named_where_none_is(
    interpreter: Interpreter, training_data: TrainingData, text: str
) -> None:
    if {e.language for e in training_data.examples} != {"fr", "en"}:
        pytest.skip("about the real training data (nlu/data/fr and nlu/data/en)")
    assert main_service(interpreter.parse(text)) is None
