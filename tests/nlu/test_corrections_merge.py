"""Corrections as training examples: annotated like nlu/data, winning over the data."""

from __future__ import annotations

from nlu.corrections import Correction, to_example, with_corrections
from nlu.training_data import TrainingData, load_training_data
from tests.nlu.conftest import FIXTURE_DATA


def _data() -> TrainingData:
    return load_training_data(FIXTURE_DATA)


def test_the_service_goes_on_the_words_the_data_knows_for_it() -> None:
    merged = with_corrections(
        _data(),
        [Correction("Vous pourriez faire mes Courses vite", "fr", "request_help", "errands")],
    )
    (example,) = merged.examples
    assert (
        example.raw
        == 'Vous pourriez faire mes [Courses]{"entity": "service", "value": "errands"} vite'
    )
    assert example.service == "errands" and example.language == "fr"
    assert example in merged.data.examples


def test_masks_lose_their_brackets_so_they_read_as_words() -> None:
    example = to_example(
        Correction("au [adresse masquée] pour le ménage", "fr", "request_help", None), {}
    )
    assert example.text == example.raw == "au (adresse masquée) pour le ménage"
    assert example.entities == ()


def test_a_correction_replaces_a_training_example_with_the_same_words_and_another_label() -> None:
    data = _data()
    merged = with_corrections(
        data,
        [
            Correction("MERCI  beaucoup", "fr", "thank", None),  # the data says so already
            Correction("non merci", "fr", "deny", None),
            Correction("non merci", "fr", "thank", None),  # the later correction wins
        ],
    )
    assert merged.already_known == 1
    (overridden,) = merged.overridden
    assert (overridden.text, overridden.was, overridden.now) == ("non merci", "deny", "thank")
    labelled = [(e.intent, e.source) for e in merged.data.examples if e.text == "non merci"]
    assert labelled == [("thank", "dispatcher corrections")]
    assert len(merged.data.examples) == len(data.examples)
