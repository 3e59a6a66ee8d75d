"""A person's phone preferences: read, written by the hotline as it learns, reset by staff.

The rules that set them live with the conversations (dialogues/phone_habits.py); here is only
their storage, one row per person, written in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.people.models import PhonePreferences
from backend.people.service import get_person


def get_phone_preferences(session: Session, person_id: int) -> PhonePreferences | None:
    return session.get(PhonePreferences, person_id)


def save_phone_preferences(
    session: Session,
    person_id: int,
    *,
    keypad_first: bool,
    slow_speech: bool,
    keypad_calls: int,
    repeats: int,
    now: datetime | None = None,
) -> PhonePreferences:
    row = session.get(PhonePreferences, person_id)
    if row is None:
        row = PhonePreferences(person_id=person_id)
        session.add(row)
    row.keypad_first, row.slow_speech = keypad_first, slow_speech
    row.keypad_calls, row.repeats = keypad_calls, repeats
    row.updated_at = now or utcnow()
    session.flush()
    return row


def reset_phone_preferences(session: Session, person_id: int) -> bool:
    """Back to the line's defaults (speech first, the usual pace), counters included: what
    was learned starts again from the next call. False when there was nothing to forget.
    Raises NotFound for an unknown person."""
    get_person(session, person_id)
    row = session.get(PhonePreferences, person_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
