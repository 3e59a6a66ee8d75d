"""Throttling password guesses, per account (login name) and per client address.

State is rows of `login_attempts`, so every web process sees the same counts. An attempt's
row is written and judged against the rows before it, under a lock on its login name and
address, and committed *before* its password is checked: simultaneous guesses, from one
process or several, all count. It is refused:

- per account: after `account_failures` failures within `window`, the account is locked for
  the next step of `account_locks` (1, 5, then 15 minutes: capped, so an attacker can delay
  the real dispatcher but never lock her out for longer than the last step);
- per address: `address_failures` failures within `window`, whatever the login names.

A throttled attempt is refused even with the right password (otherwise the throttle would
tell which guess was right) and deletes its own row: it neither counts nor extends a lock.
A successful login deletes its account's rows. Rows older than `memory` are purged as
attempts are written. Logs say the login name and the address, never the password.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from backend.auth.models import LoginAttempt
from backend.auth.service import authenticate
from backend.db import transaction, utcnow
from backend.people.models import Person

log = logging.getLogger(__name__)

Reason = Literal["account", "address"]


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta = timedelta(minutes=15)
    account_failures: int = 5
    account_locks: tuple[timedelta, ...] = (
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
    )
    address_failures: int = 20
    # Failures older than this are forgotten (locks start again at the first step) and purged.
    memory: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class Throttled:
    """The attempt was refused unchecked; the same client may try again after `retry_after`."""

    login: str
    address: str
    retry_after: timedelta
    reason: Reason

    @property
    def seconds(self) -> int:
        """For a Retry-After header: whole seconds, at least one."""
        return max(1, math.ceil(self.retry_after.total_seconds()))

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))


@dataclass(frozen=True)
class Attempt:
    """An attempt let through to the password check; say how it ended."""

    id: int
    login: str
    address: str


def login_key(login: str) -> str:
    """'Nadia ' and 'nadia' are one account for counting guesses."""
    return login.strip().casefold()[:120]


@dataclass
class LoginThrottle:
    """`factory`: sessions of its own, committed at once, apart from the request's
    transaction (a refused login rolls that one back, its failure must stay counted)."""

    factory: sessionmaker[Session]
    policy: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    clock: Callable[[], datetime] = utcnow

    def begin(self, login: str, address: str) -> Attempt | Throttled:
        key, address = login_key(login), address[:64]
        now = self.clock()
        with transaction(self.factory) as session:
            _serialize(session, key, address)
            cutoff = now - max(self.policy.memory, self.policy.window)
            session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff))
            row = LoginAttempt(login=key, address=address, at=now)
            session.add(row)
            session.flush()
            mine = row.id
            waits: list[tuple[timedelta, Reason]] = []
            for wait, reason in (
                (self._account_wait(session, key, mine, now), "account"),
                (self._address_wait(session, address, mine, now), "address"),
            ):
                if wait is not None:
                    waits.append((max(wait, timedelta(0)), reason))  # type: ignore[arg-type]
            if not waits:
                return Attempt(mine, key, address)
            session.execute(delete(LoginAttempt).where(LoginAttempt.id == mine))
        wait, reason = max(waits, key=lambda pair: pair[0])
        refused = Throttled(key, address, wait, reason)
        log.warning(
            "login throttled for %r from %s (%s): retry in %d s",
            key,
            address,
            reason,
            refused.seconds,
        )
        return refused

    def failed(self, attempt: Attempt) -> None:
        """The attempt's row, committed by `begin`, stays: it counts as a failure."""
        log.warning("login failed for %r from %s", attempt.login, attempt.address)

    def succeeded(self, session: Session, attempt: Attempt) -> None:
        """Clears the account's failures in the caller's transaction (the one that opens
        the session): on SQLite, which has one writer, a second transaction would wait
        for the caller's forever."""
        session.execute(delete(LoginAttempt).where(LoginAttempt.login == attempt.login))

    def _account_wait(
        self, session: Session, key: str, mine: int, now: datetime
    ) -> timedelta | None:
        rows = session.execute(
            select(LoginAttempt.id, LoginAttempt.at)
            .where(LoginAttempt.login == key, LoginAttempt.at >= now - self.policy.memory)
            .order_by(LoginAttempt.id)
        ).all()
        until = account_lock(rows, mine, self.policy)
        return None if until is None else until - now

    def _address_wait(
        self, session: Session, address: str, mine: int, now: datetime
    ) -> timedelta | None:
        limit = self.policy.address_failures
        before = session.scalars(
            select(LoginAttempt.at)
            .where(
                LoginAttempt.address == address,
                LoginAttempt.at > now - self.policy.window,
                LoginAttempt.id < mine,
            )
            .order_by(LoginAttempt.at)
        ).all()
        if len(before) < limit:
            return None
        # Allowed again once enough of the oldest have left the window.
        return before[len(before) - limit] + self.policy.window - now


def _serialize(session: Session, key: str, address: str) -> None:
    """Attempts on one login name, or from one address, are judged one after the other
    (until the transaction ends): simultaneous guesses each see the ones before. SQLite
    has one writer at a time anyway; PostgreSQL takes advisory locks, always the login's
    then the address's (one order, no deadlock; two key spaces, no collision between them)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for space, value in ((1, key), (2, address)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:value))"),
            {"space": space, "value": value},
        )


def account_lock(
    rows: Sequence[tuple[int, datetime]], mine: int, policy: ThrottlePolicy
) -> datetime | None:
    """When the lock that covers attempt `mine` ends, or None if it may be checked.

    `rows` are the account's (id, time) in id order. Replayed from the oldest: every
    `account_failures` counted failures within `window` start a lock of the next step; a
    row inside a lock is a refused try (being deleted) and does not count.
    """
    until: datetime | None = None
    locks = 0
    recent: deque[datetime] = deque()
    for row_id, at in rows:
        if until is not None and at < until:
            if row_id == mine:
                return until
            continue
        if row_id == mine:
            return None
        while recent and recent[0] <= at - policy.window:
            recent.popleft()
        recent.append(at)
        if len(recent) >= policy.account_failures:
            until = at + policy.account_locks[min(locks, len(policy.account_locks) - 1)]
            locks += 1
            recent.clear()
    return None


def log_in(
    session: Session, throttle: LoginThrottle, login: str, password: str, address: str
) -> Person | Throttled | None:
    """`authenticate` behind the throttle: the person, None for a wrong login or password,
    or Throttled (refused unchecked, whatever the password).

    Call it before `session` has touched the database: the throttle commits its rows in
    transactions of its own first (on SQLite they would wait for an open one)."""
    attempt = throttle.begin(login, address)
    if isinstance(attempt, Throttled):
        return attempt
    person = authenticate(session, login, password)
    if person is None:
        throttle.failed(attempt)
    else:
        throttle.succeeded(session, attempt)
    return person
