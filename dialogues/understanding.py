"""What a person meant: the intent model's answer plus the cheap, certain signals around it.

Keypad digits and buttons are certain; words like "oui" need no model; an emergency is
caught by plain keywords too (dialogues/danger.py), so that no model mistake can hide a fall
or a fire.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogues.messages import Incoming
from nlu.interface import FALLBACK_INTENT, IntentParser, ParseResult

MAX_TEXT = 1000  # longer messages are cut before parsing: the beginning carries the intent


def fold(text: str) -> str:
    """Lowercase without accents, for keyword checks."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_YES = re.compile(
    r"^\s*(?:euh\s+|ben\s+|bah\s+|alors\s+|oh\s+|well\s+|um\s+)*"
    r"(oui|ouais|ouai|yes|yeah|yep|ok|okay|d'?accord|dac|exact|exactement|"
    r"c'?est (?:ca|bien ca|bon)|tout a fait|bien sur|volontiers|absolument|parfait|correct|"
    r"right|sure|of course|that'?s right|that'?s it|affirmatif|oui oui|👍)\b",
)
_NO = re.compile(
    r"^\s*(?:euh\s+|ben\s+|bah\s+|alors\s+|oh\s+|well\s+|um\s+|ah\s+)*"
    r"(non|nan|no|nope|pas du tout|pas vraiment|pas ca|c'?est pas ca|ce n'?est pas ca|"
    r"not really|that'?s wrong|wrong|👎)\b",
)


@dataclass
class Understanding:
    text: str
    intent: str = FALLBACK_INTENT
    confidence: float = 0.0
    entities: list[dict[str, Any]] = field(default_factory=list)
    language: str | None = None

    def entity(self, name: str) -> Any:
        return next((e["value"] for e in self.entities if e["entity"] == name), None)

    def is_intent(self, *names: str, at_least: float = 0.5) -> bool:
        return self.intent in names and self.confidence >= at_least

    @property
    def service(self) -> str | None:
        value = self.entity("service")
        return value if isinstance(value, str) else None

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        value = self.entity("time")
        if not isinstance(value, dict) or "from" not in value:
            return None
        try:
            return datetime.fromisoformat(value["from"]), datetime.fromisoformat(value["to"])
        except (TypeError, ValueError, KeyError):
            return None

    @property
    def price_cents(self) -> int | None:
        value = self.entity("price")
        if isinstance(value, dict) and isinstance(value.get("amount"), int):
            return int(value["amount"])
        return None


def understand(
    parser: IntentParser, text: str, *, now: datetime, language: str | None
) -> Understanding:
    cut = text[:MAX_TEXT]
    result: ParseResult = parser.parse(cut, now=now, lang=language)
    return Understanding(
        text=cut,
        intent=result["intent"]["name"],
        confidence=float(result["intent"]["confidence"]),
        entities=[dict(e) for e in result["entities"]],
        language=result.get("language"),
    )


def yes_or_no(incoming: Incoming, understanding: Understanding | None) -> bool | None:
    """True, False, or None when the answer was neither."""
    if incoming.choice in ("yes", "no"):
        return incoming.choice == "yes"
    if incoming.digits:
        return {"1": True, "2": False}.get(incoming.digits[:1])
    if not incoming.text:
        return None
    folded = fold(incoming.text)
    if _NO.match(folded):
        return False
    if _YES.match(folded):
        return True
    if understanding is not None and understanding.is_intent("affirm", at_least=0.6):
        return True
    if understanding is not None and understanding.is_intent("deny", at_least=0.6):
        return False
    return None


def sounds_like_emergency(text: str | None) -> bool:
    """Danger now, by the words alone (dialogues/danger.py reads the finer cases)."""
    from dialogues.danger import Danger, read_danger

    return read_danger(text) is Danger.now
