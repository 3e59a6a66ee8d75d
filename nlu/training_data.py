"""Read Rasa 3.x YAML training data (intents, inline entities, synonyms, lookups, regexes).

All `*.yml` / `*.yaml` files under a directory are read recursively, in sorted order so that
the result (and the data hash) does not depend on the file system. A file's language is the
first folder of its path named after a language code (`fr/`, `en/`); files elsewhere count
as `default_language`.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("fr", "en")

# `[text](type)`, `[text](type:value)` or `[text]{"entity": ..., "value": ...}`: the same
# grammar as Rasa's entities_parser, so whatever Rasa accepts we read the same way.
_ENTITY_RE = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(\((?P<type>[^:)]+?)(?::(?P<value>[^)]+))?\)|\{(?P<dict>[^}]+?)\})"
)
_STRIP = "\n\r "


class TrainingDataError(ValueError):
    """The training data cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class AnnotatedEntity:
    entity: str
    value: str
    start: int
    end: int
    text: str
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Example:
    text: str  # plain text, annotations removed
    intent: str
    entities: tuple[AnnotatedEntity, ...]
    language: str
    source: str  # relative path of the file, for error messages
    raw: str  # the annotated text as written, for re-export to Rasa

    @property
    def service(self) -> str | None:
        """The first `service` entity's value: what the service accuracy is measured on."""
        return next((e.value for e in self.entities if e.entity == "service"), None)


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # surface text -> canonical value
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    data_hash: str = ""
    files: list[str] = field(default_factory=list)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})

    def subset(self, indices: Iterable[int]) -> TrainingData:
        """The same resources (synonyms, lookups, regexes) with only some examples: CV folds."""
        return TrainingData(
            examples=[self.examples[i] for i in indices],
            synonyms=dict(self.synonyms),
            lookups={k: list(v) for k, v in self.lookups.items()},
            regexes={k: list(v) for k, v in self.regexes.items()},
            data_hash=self.data_hash,
            files=list(self.files),
        )


def parse_annotated(raw: str) -> tuple[str, list[AnnotatedEntity]]:
    """Turn `i need [milk](service:errands)` into plain text and entities with offsets."""
    entities: list[AnnotatedEntity] = []
    plain: list[str] = []
    last = 0
    length = 0
    for match in _ENTITY_RE.finditer(raw):
        before = raw[last : match.start()]
        plain.append(before)
        length += len(before)
        text = match.group("text")
        if match.group("dict"):
            try:
                attrs: dict[str, Any] = json.loads("{" + match.group("dict") + "}")
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"bad entity dict in {raw!r}: {exc}") from exc
            entity_type = attrs.get("entity")
            value = attrs.get("value", text)
            role, group = attrs.get("role"), attrs.get("group")
        else:
            entity_type = match.group("type")
            value = match.group("value") or text
            role = group = None
        if not entity_type:
            raise TrainingDataError(f"entity without a type in {raw!r}")
        entities.append(
            AnnotatedEntity(
                entity=str(entity_type).strip(),
                value=str(value),
                start=length,
                end=length + len(text),
                text=text,
                role=role,
                group=group,
            )
        )
        plain.append(text)
        length += len(text)
        last = match.end()
    plain.append(raw[last:])
    return "".join(plain), entities


def _examples_of(block: dict[str, Any], name: str, where: str) -> list[str]:
    examples = block.get("examples", "")
    if isinstance(examples, str):
        # Rasa's multi-line form: one example per line, each starting with "-".
        return [
            line.strip()[1:].strip(_STRIP)
            for line in examples.splitlines()
            if line.strip().startswith("-") and line.strip()[1:].strip(_STRIP)
        ]
    if isinstance(examples, list):  # the list form: [{"text": ..., "metadata": ...}]
        out = []
        for item in examples:
            text = item.get("text") if isinstance(item, dict) else item
            if isinstance(text, str) and text.strip(_STRIP):
                out.append(text.strip(_STRIP))
        return out
    raise TrainingDataError(f"{where}: examples of {name!r} are neither a string nor a list")


def _language_of(relative: Path, default_language: str) -> str:
    return next((part for part in relative.parts[:-1] if part in LANGUAGES), default_language)


def data_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def hash_data(data_dir: Path) -> str:
    """sha256 over every data file's relative path and bytes: changes when any example does."""
    digest = hashlib.sha256()
    for path in data_files(data_dir):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_training_data(data_dir: Path, *, default_language: str = "fr") -> TrainingData:
    """Read every YAML file under `data_dir` (recursively)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise TrainingDataError(f"no training data directory at {data_dir}")
    data = TrainingData(data_hash=hash_data(data_dir))
    for path in data_files(data_dir):
        relative = path.relative_to(data_dir)
        where = relative.as_posix()
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise TrainingDataError(f"{where}: not valid YAML: {exc}") from exc
        data.files.append(where)
        if not isinstance(content, dict) or not content.get("nlu"):
            continue  # a domain or config file, or an empty one: nothing for NLU
        language = _language_of(relative, default_language)
        for block in content["nlu"]:
            if not isinstance(block, dict):
                raise TrainingDataError(f"{where}: nlu items must be mappings, got {block!r}")
            _read_block(block, data, language, where)
    if not data.examples:
        raise TrainingDataError(f"no intent examples under {data_dir}")
    return data


def _read_block(block: dict[str, Any], data: TrainingData, language: str, where: str) -> None:
    if "intent" in block:
        intent = str(block["intent"])
        for raw in _examples_of(block, intent, where):
            try:
                text, entities = parse_annotated(raw)
            except TrainingDataError as exc:
                raise TrainingDataError(f"{where}: {exc}") from exc
            data.examples.append(Example(text, intent, tuple(entities), language, where, raw))
            for ent in entities:  # Rasa adds [text](type:value) pairs to the synonyms too
                if ent.value != ent.text:
                    data.synonyms.setdefault(ent.text.lower(), ent.value)
    elif "synonym" in block:
        value = str(block["synonym"])
        for surface in _examples_of(block, value, where):
            data.synonyms[surface.lower()] = value
    elif "lookup" in block:
        name = str(block["lookup"])
        data.lookups.setdefault(name, []).extend(_examples_of(block, name, where))
    elif "regex" in block:
        name = str(block["regex"])
        data.regexes.setdefault(name, []).extend(_examples_of(block, name, where))
    else:  # Rasa skips unknown items with a warning; so do we, naming the file
        warnings.warn(f"{where}: skipped an nlu item with keys {sorted(block)}", stacklevel=2)
