"""Commits that touch conversations wake the console's open pages: in this process at once,
and in other instances through Redis (real Redis at 127.0.0.1:6379, skipped if unreachable)."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.conversations.models import Conversation
from console.live import Nudges
from coupdemain.live_updates import ChangeFeed, channel_for
from tests.console.console_helpers import log_in, make_staff
from tests.console.test_console_live import events
from tests.factories import make_resident

REDIS_URL = os.environ.get("COUPDEMAIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Counted(Nudges):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def nudge(self) -> None:
        self.count += 1
        super().nudge()


def _conversation(factory: sessionmaker[Session], address: str) -> None:
    with factory() as s, s.begin():
        s.add(Conversation(channel="telegram", address=address))


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_URL} unreachable: {exc}")
    yield client
    client.close()


def test_only_commits_that_touch_conversations_nudge(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    nudges = Counted()
    feed = ChangeFeed(engine.url.render_as_string(hide_password=False), nudges)
    feed.start()
    try:
        with session_factory() as s, s.begin():
            make_resident(s, "Jeanne Martin")
        assert nudges.count == 0
        _conversation(session_factory, "1001")
        assert nudges.count == 1
        with session_factory() as s:  # rolled back: nothing to announce
            s.add(Conversation(channel="telegram", address="1002"))
            s.flush()
            s.rollback()
        assert nudges.count == 1
    finally:
        feed.stop()
    _conversation(session_factory, "1003")  # a stopped feed hears nothing
    assert nudges.count == 1


def test_an_open_page_updates_at_once_on_a_commit_long_before_its_refresh(
    client: TestClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    make_staff(session, "claire")
    log_in(client, "claire")
    client.app.state.console_refresh_seconds = 600  # type: ignore[attr-defined]
    received: queue.Queue[tuple[str, str]] = queue.Queue()

    def read() -> None:
        with client.stream("GET", "/console/conversations/stream") as reply:
            for item in events(reply.iter_lines()):
                received.put(item)
                if "Jeanne Martin" in item[1]:
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert "Aucune conversation en cours." in received.get(timeout=10)[1]
    with session_factory() as s, s.begin():
        jeanne = make_resident(s, "Jeanne Martin")
        s.flush()
        s.add(Conversation(channel="telegram", address="1001", person_id=jeanne.id))
    started = time.monotonic()
    name, data = received.get(timeout=10)  # a refresh alone would take ten minutes
    assert name == "update" and "Jeanne Martin" in data
    assert time.monotonic() - started < 10


def test_instances_tell_each_other_through_redis(
    engine: Engine, session_factory: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    listener = redis_client.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel_for(REDIS_URL))
    here = ChangeFeed(url, Counted(), REDIS_URL)
    here.start()
    try:
        _conversation(session_factory, "1001")  # committed in this instance...
        message = None
        deadline = time.monotonic() + 10
        while message is None and time.monotonic() < deadline:
            message = listener.get_message(timeout=1)
        assert (
            message is not None and message["channel"] == channel_for(REDIS_URL).encode()
        )  # ...told

        nudged = here.nudges
        assert isinstance(nudged, Counted)
        before = nudged.count
        redis_client.publish(channel_for(REDIS_URL), "another-instance")  # a commit elsewhere
        deadline = time.monotonic() + 10
        while nudged.count == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert nudged.count == before + 1
    finally:
        here.stop()
        listener.close()


def test_without_redis_commits_still_succeed_and_pages_poll(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    nudges = Counted()
    feed = ChangeFeed(
        engine.url.render_as_string(hide_password=False), nudges, "redis://127.0.0.1:1/0"
    )
    feed.start()  # nothing listens on port 1: said in the log, not raised
    try:
        _conversation(session_factory, "1001")
        assert nudges.count == 1  # this instance's pages still woken
    finally:
        feed.stop()


def _other_database(url: str) -> str:
    """The same Redis server, another database number."""
    base, _, db = url.rpartition("/")
    return f"{base}/{(int(db or 0) + 1) % 16}"


def test_instances_on_other_redis_databases_do_not_wake_each_other(
    redis_client: redis.Redis,
) -> None:
    # Pub/sub channels are shared by all of a server's databases: the number is in the name.
    other_url = _other_database(REDIS_URL)
    assert channel_for(REDIS_URL) != channel_for(other_url)
    assert channel_for("redis://127.0.0.1:6379") == channel_for("redis://127.0.0.1:6379/0")
    ours, theirs = Counted(), Counted()
    here = ChangeFeed("sqlite:///ours.db", ours, REDIS_URL)
    there = ChangeFeed("sqlite:///theirs.db", theirs, other_url)
    here.start()
    there.start()
    try:
        redis_client.publish(channel_for(other_url), "an-instance-of-theirs")
        deadline = time.monotonic() + 10
        while theirs.count == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert theirs.count == 1
        time.sleep(0.5)  # a nudge to ours would have arrived by now too
        assert ours.count == 0
    finally:
        here.stop()
        there.stop()


def test_a_clean_stop_logs_no_redis_failure(
    redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    feed = ChangeFeed("sqlite:///ours.db", Counted(), REDIS_URL)
    with caplog.at_level(logging.DEBUG, logger="coupdemain.live_updates"):
        feed.start()
        feed.stop()
        time.sleep(1.5)  # the listener's wait for a message is 1 s: it has ended by now
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [], [r.getMessage() for r in warnings]
