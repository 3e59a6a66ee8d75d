"""The safety net of an erasure: a person's name, numbers and street, wherever typed.

The erasure blanks what it knows belongs to the person; their name or number may still sit
in text others wrote (a dispatcher's note, a rating's comment, a ledger memo, a message to a
helper naming the requester, a job's payload). `scrub` looks through every text and JSON
column of every table for the given terms and replaces them with `REPLACEMENT`.

Left out: the identity tables of the *other* people (names, contact points, addresses), where
a namesake or a neighbour in the same building must keep their own data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import phonenumbers
from sqlalchemy import JSON, String, Table, cast, func, or_, select, update
from sqlalchemy.orm import Session

from backend.db import Base

REPLACEMENT = "[effacé]"
OWN_DATA_TABLES = frozenset({"people", "contact_points", "addresses"})
MIN_TERM = 3


def phone_terms(e164: str) -> list[str]:
    """The ways a number is written: +33612345678, 0612345678, 06 12 34 56 78, 06.12...."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return [e164]
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    compact = re.sub(r"\D", "", national)
    return [e164, national, compact, national.replace(" ", "."), national.replace(" ", "-")]


def _pattern(term: str) -> re.Pattern[str]:
    # Whole words or whole numbers: "Jean" is not scrubbed out of "Jeanne", 0612 not from 30612.
    edge = r"\d" if term[-1:].isdigit() else r"\w"
    start = r"\d" if term[:1].isdigit() or term[:1] == "+" else r"\w"
    return re.compile(rf"(?<!{start}){re.escape(term)}(?!{edge})", re.IGNORECASE)


class Scrubber:
    def __init__(self, terms: Iterable[str], *, exact_values: Iterable[str] = ()) -> None:
        unique = {t.strip() for t in terms if len(t.strip()) >= MIN_TERM}
        # Longest first: "Jeanne Martin" goes before a shorter term can cut it in two.
        self.terms = sorted(unique, key=len, reverse=True)
        self.patterns = [_pattern(t) for t in self.terms]
        # JSON string values equal to one of these are replaced too (a first name on its own).
        self.exact = {v.strip().casefold() for v in exact_values if len(v.strip()) >= MIN_TERM}

    def text(self, value: str) -> str:
        for pattern in self.patterns:
            value = pattern.sub(REPLACEMENT, value)
        return value

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return REPLACEMENT if value.strip().casefold() in self.exact else self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        return value

    def _needles(self) -> list[str]:
        needles = set(self.terms) | self.exact
        # SQLite stores JSON with \\u escapes for non-ASCII letters.
        needles |= {json.dumps(n)[1:-1] for n in needles}
        return sorted(needles)

    def scrub(self, session: Session) -> int:
        """Replace the terms in every text and JSON column; returns how many rows changed."""
        if not self.terms and not self.exact:
            return 0
        needles = self._needles()
        changed = 0
        for table in Base.metadata.sorted_tables:
            if table.name in OWN_DATA_TABLES or not table.primary_key.columns:
                continue
            changed += self._scrub_table(session, table, needles)
        return changed

    def _scrub_table(self, session: Session, table: Table, needles: list[str]) -> int:
        pk = list(table.primary_key.columns)
        changed = 0
        for column in table.columns:
            is_json = isinstance(column.type, JSON)
            if not is_json and not isinstance(column.type, String):
                continue
            haystack = cast(column, String) if is_json else column
            hit = or_(
                *(haystack.contains(n, autoescape=True) for n in needles),
                *(func.lower(haystack).contains(n.lower(), autoescape=True) for n in needles),
            )
            for found in session.execute(select(*pk, column).where(hit)).all():
                old = found[-1]
                new = self.json(old) if is_json else self.text(old)
                if new == old:
                    continue
                key = [c == v for c, v in zip(pk, found[:-1], strict=True)]
                session.execute(update(table).where(*key).values({column.name: new}))
                changed += 1
        return changed
