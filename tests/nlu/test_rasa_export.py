from __future__ import annotations

from pathlib import Path

import yaml

from nlu.rasa_export import export_rasa_project
from nlu.training_data import Example, load_training_data


def test_export_round_trips_through_our_loader(tmp_path: Path, fixture_data_dir: Path) -> None:
    data = load_training_data(fixture_data_dir)
    export_rasa_project(data, tmp_path / "rasa")
    again = load_training_data(tmp_path / "rasa" / "data")

    def key(e: Example) -> tuple:
        return (e.intent, e.text, e.entities)

    assert sorted(map(key, again.examples)) == sorted(map(key, data.examples))
    assert again.synonyms["supermarché"] == "errands"
    assert again.lookups == data.lookups and again.regexes == data.regexes


def test_export_writes_a_diet_config_and_a_domain(tmp_path: Path, fixture_data_dir: Path) -> None:
    data = load_training_data(fixture_data_dir)
    export_rasa_project(data, tmp_path)
    config = yaml.safe_load((tmp_path / "config.yml").read_text())
    names = [step["name"] for step in config["pipeline"]]
    assert "DIETClassifier" in names and names[-1] == "FallbackClassifier"
    domain = yaml.safe_load((tmp_path / "domain.yml").read_text())
    assert set(domain["intents"]) == set(data.intents)
    assert "service" in domain["entities"]
    nlu = yaml.safe_load((tmp_path / "data" / "nlu.yml").read_text())
    assert nlu["version"] == "3.1"
    intents = [item["intent"] for item in nlu["nlu"] if "intent" in item]
    assert len(intents) == len(set(intents))  # one block per intent, files merged
