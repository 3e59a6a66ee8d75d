"""Write a Rasa 3.x project from our training data: `rasa train nlu` accepts it as is.

DIR/config.yml     the DIET pipeline of ../shared/rasa/config.yml (or a config you pass)
DIR/data/nlu.yml   every intent's examples (annotations kept), synonyms, lookups, regexes
DIR/domain.yml     intents and entities (Rasa needs it for `rasa train`, not for NLU only)
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from nlu.training_data import TrainingData

# Same semantics as ../shared/rasa/config.yml: a standard DIET pipeline, no pretrained
# embeddings, fixed seed, Rasa's fallback defaults written out.
DEFAULT_RASA_CONFIG = """\
# A standard Rasa 3.6 NLU pipeline (DIET), no pretrained embeddings.
# Written by `coupdemain nlu export-rasa`; mirrors ../shared/rasa/config.yml.
recipe: default.v1
language: fr
assistant_id: coupdemain-nlu
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    random_seed: 42
  - name: EntitySynonymMapper
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies: []
"""


class _Literal(str):
    """A string YAML writes as a `|` block: how Rasa's examples are usually written."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal)


def _block(lines: list[str]) -> _Literal:
    # One example per line; a newline inside an example would split it, so flatten.
    return _Literal("".join(f"- {' '.join(line.split())}\n" for line in lines))


def nlu_document(data: TrainingData) -> dict[str, Any]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for example in data.examples:
        by_intent[example.intent].append(example.raw)
    items: list[dict[str, Any]] = [
        {"intent": intent, "examples": _block(raws)} for intent, raws in by_intent.items()
    ]
    synonyms: dict[str, list[str]] = defaultdict(list)
    for surface, value in data.synonyms.items():
        if surface != value.lower():
            synonyms[value].append(surface)
    items += [{"synonym": value, "examples": _block(sorted(s))} for value, s in synonyms.items()]
    items += [
        {"lookup": name, "examples": _block(entries)} for name, entries in data.lookups.items()
    ]
    items += [
        {"regex": name, "examples": _block(patterns)} for name, patterns in data.regexes.items()
    ]
    return {"version": "3.1", "nlu": items}


def domain_document(data: TrainingData) -> dict[str, Any]:
    entities = sorted({e.entity for ex in data.examples for e in ex.entities})
    return {"version": "3.1", "intents": data.intents, "entities": entities}


def dump_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def export_rasa_project(
    data: TrainingData, out_dir: Path, *, config_text: str | None = None
) -> list[Path]:
    """Write the project; returns the files written."""
    out_dir = Path(out_dir)
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    files = {
        out_dir / "config.yml": config_text or DEFAULT_RASA_CONFIG,
        out_dir / "data" / "nlu.yml": dump_yaml(nlu_document(data)),
        out_dir / "domain.yml": dump_yaml(domain_document(data)),
    }
    for path, content in files.items():
        path.write_text(content, encoding="utf-8")
    return list(files)
