"""Idempotency keys: the same key with the same request gives the first result back; the same
key with another request is refused.

The key is stored on the transfer the request created (a unique column), with a hash of the
request. Storing it on the transfer itself, in the same insert, means a request can never be
half-remembered: either the money moved and the key is taken, or neither happened.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from backend.errors import Conflict, InvalidInput
from backend.ledger.models import Transfer
from backend.ledger.views import TransferView

MAX_KEY_LENGTH = 200
_BY_KEY = select(Transfer.__table__).where(Transfer.__table__.c.idempotency_key == bindparam("key"))


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"an idempotency key is 1 to {MAX_KEY_LENGTH} characters")
    return key


def request_hash(operation: str, **fields: object) -> str:
    """A stable fingerprint of what was asked (not of who asked or when)."""
    canonical = json.dumps({"op": operation, **fields}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(session: Session, key: str | None, fingerprint: str) -> TransferView | None:
    """The transfer an earlier request with this key created, or None if the key is new."""
    if key is None:
        return None
    row = session.execute(_BY_KEY, {"key": key}).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise Conflict(
            "this idempotency key was already used for a different request",
            idempotency_key=key,
            transfer_id=row.id,
        )
    return TransferView.of(row, replayed=True)
