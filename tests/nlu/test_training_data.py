from __future__ import annotations

from pathlib import Path

import pytest

from nlu.training_data import TrainingDataError, hash_data, load_training_data, parse_annotated


def test_both_inline_entity_syntaxes_give_plain_text_and_offsets() -> None:
    raw = 'faire mes [courses]{"entity": "service", "value": "errands"} [demain matin](time) ok'
    text, entities = parse_annotated(raw)
    assert text == "faire mes courses demain matin ok"
    service, time = entities
    assert (service.entity, service.value, text[service.start : service.end]) == (
        "service",
        "errands",
        "courses",
    )
    assert (time.entity, time.value, text[time.start : time.end]) == (
        "time",
        "demain matin",
        "demain matin",
    )


def test_short_synonym_syntax_sets_the_value() -> None:
    text, (entity,) = parse_annotated("pour les [commissions](service:errands)")
    assert entity.value == "errands" and text[entity.start : entity.end] == "commissions"


def test_bad_entity_dict_names_the_example() -> None:
    with pytest.raises(TrainingDataError, match="bad entity dict"):
        parse_annotated('[x]{"entity": }')


def test_fixture_loads_intents_synonyms_lookups_regexes(fixture_data_dir: Path) -> None:
    data = load_training_data(fixture_data_dir)
    assert "request_help" in data.intents and "greet" in data.intents
    assert data.synonyms["supermarché"] == "errands"
    assert data.synonyms["commissions"] == "errands"  # from an annotation, as Rasa does
    assert "jardinage" in data.lookups["service"]
    assert data.regexes["postcode"] == [r"\b\d{5}\b"]
    assert {e.language for e in data.examples} == {"fr", "en"}


def test_list_form_examples_are_read(fixture_data_dir: Path) -> None:
    data = load_training_data(fixture_data_dir)
    leaking = next(e for e in data.examples if "tap is leaking" in e.text)
    assert leaking.service == "diy" and leaking.language == "en"


def test_files_in_subfolders_are_read_recursively(fixture_data_dir: Path) -> None:
    deep = fixture_data_dir / "fr" / "more" / "deeper"
    deep.mkdir(parents=True)
    (deep / "extra.yaml").write_text(
        'version: "3.1"\nnlu:\n- intent: repeat\n  examples: |\n    - pardon ?\n    - répétez\n'
    )
    data = load_training_data(fixture_data_dir)
    repeats = [e for e in data.examples if e.intent == "repeat"]
    assert len(repeats) == 2 and all(e.language == "fr" for e in repeats)


def test_hash_changes_when_any_file_changes(fixture_data_dir: Path) -> None:
    before = hash_data(fixture_data_dir)
    path = fixture_data_dir / "en" / "services.yml"
    path.write_text(path.read_text() + "    - groceries shopping\n")
    assert hash_data(fixture_data_dir) != before


def test_invalid_yaml_names_the_file(fixture_data_dir: Path) -> None:
    (fixture_data_dir / "fr" / "broken.yml").write_text("nlu:\n- intent: x\n  examples: [oops\n")
    with pytest.raises(TrainingDataError, match="fr/broken.yml"):
        load_training_data(fixture_data_dir)


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="no training data directory"):
        load_training_data(tmp_path / "nope")
