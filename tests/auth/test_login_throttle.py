"""The login throttle on its own: locks per account, limit per address, on both databases,
with a clock moved by hand."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from ipaddress import ip_network

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.auth.deps import address_of, parse_networks
from backend.auth.models import LoginAttempt
from backend.auth.throttle import Attempt, LoginThrottle, Throttled
from backend.db import make_engine, make_session_factory, transaction
from tests.auth.throttle_helpers import Clock


def _fail(throttle: LoginThrottle, login: str = "nadia", address: str = "192.0.2.7") -> None:
    attempt = throttle.begin(login, address)
    assert isinstance(attempt, Attempt), attempt
    throttle.failed(attempt)


def _refused(
    throttle: LoginThrottle, login: str = "nadia", address: str = "192.0.2.7"
) -> Throttled:
    attempt = throttle.begin(login, address)
    assert isinstance(attempt, Throttled), "expected the attempt to be refused unchecked"
    return attempt


def test_locks_last_one_five_then_fifteen_minutes_and_grow_no_further(
    session_factory: sessionmaker[Session],
) -> None:
    clock = Clock()
    throttle = LoginThrottle(session_factory, clock=clock)
    locks = []
    for _ in range(4):
        for _ in range(5):
            _fail(throttle)
        refused = _refused(throttle)
        assert refused.reason == "account"
        locks.append(refused.seconds)
        clock.advance(seconds=refused.seconds)
    assert locks == [60, 300, 900, 900]


def test_tries_during_a_lock_neither_count_nor_extend_it(
    session_factory: sessionmaker[Session],
) -> None:
    clock = Clock()
    throttle = LoginThrottle(session_factory, clock=clock)
    for _ in range(5):
        _fail(throttle)
    waits = []
    for _ in range(30):
        waits.append(_refused(throttle).seconds)
        clock.advance(seconds=2)
    assert waits[0] == 60 and waits[-1] == 2  # counting down, never pushed back
    assert isinstance(throttle.begin("nadia", "192.0.2.7"), Attempt)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 6


def test_a_success_clears_the_accounts_failures(session_factory: sessionmaker[Session]) -> None:
    throttle = LoginThrottle(session_factory, clock=Clock())
    for _ in range(4):
        _fail(throttle)
    attempt = throttle.begin("Nadia ", "192.0.2.7")  # the same account, typed differently
    assert isinstance(attempt, Attempt)
    with transaction(session_factory) as session:
        throttle.succeeded(session, attempt)
    for _ in range(5):
        _fail(throttle)
    _refused(throttle)


def test_one_address_is_limited_across_login_names_and_others_are_not(
    session_factory: sessionmaker[Session],
) -> None:
    clock = Clock()
    throttle = LoginThrottle(session_factory, clock=clock)
    for n in range(20):
        _fail(throttle, login=f"guess{n}")
        clock.advance(seconds=10)
    refused = _refused(throttle, login="someone-new")
    assert refused.reason == "address"
    assert refused.retry_after == timedelta(minutes=15) - timedelta(seconds=200)
    assert isinstance(throttle.begin("someone-new", "198.51.100.4"), Attempt)
    clock.advance(seconds=refused.seconds)
    assert isinstance(throttle.begin("someone-new", "192.0.2.7"), Attempt)


def test_old_attempts_are_purged_as_new_ones_are_written(
    session_factory: sessionmaker[Session],
) -> None:
    clock = Clock()
    throttle = LoginThrottle(session_factory, clock=clock)
    for n in range(3):
        _fail(throttle, login=f"guess{n}")
    clock.advance(hours=2)
    _fail(throttle, login="later")
    with session_factory() as session:
        assert session.scalars(select(LoginAttempt.login)).all() == ["later"]


def test_simultaneous_guesses_from_two_processes_all_count(engine: Engine) -> None:
    """Two engines on one database stand for two web processes; twelve guesses at once let
    exactly five through to the password check."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        clock = Clock()
        throttles = [
            LoginThrottle(make_session_factory(engine), clock=clock),
            LoginThrottle(make_session_factory(other), clock=clock),
        ]
        start = threading.Barrier(12)

        def guess(n: int) -> Attempt | Throttled:
            start.wait()
            return throttles[n % 2].begin("nadia", f"203.0.113.{n}")

        with ThreadPoolExecutor(12) as pool:
            outcomes = list(pool.map(guess, range(12)))
        assert sum(isinstance(o, Attempt) for o in outcomes) == 5
        assert {o.reason for o in outcomes if isinstance(o, Throttled)} == {"account"}
    finally:
        other.dispose()


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    proxies = parse_networks("10.0.0.5, 172.16.0.0/12")
    assert proxies == (ip_network("10.0.0.5/32"), ip_network("172.16.0.0/12"))
    # Straight from the client: whatever it says about itself is ignored.
    assert address_of("198.51.100.9", ["1.2.3.4"], proxies) == "198.51.100.9"
    assert address_of("198.51.100.9", ["1.2.3.4"], ()) == "198.51.100.9"
    # Through our proxies: the hop they saw, not what the client wrote to its left.
    chain = ["6.6.6.6, 198.51.100.9, 172.16.3.4"]
    assert address_of("10.0.0.5", chain, proxies) == "198.51.100.9"
    assert address_of("10.0.0.5", [], proxies) == "10.0.0.5"
