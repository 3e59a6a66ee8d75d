"""Commits that change conversations or help requests wake the console's open pages: at once
in this process, and through Redis in every other web instance on the same database.

A SQLAlchemy session listener notes, at flush, whether a conversation or one of its messages
was written, and announces it after the commit, whoever committed (the engine's turn, a
webhook, a dispatcher's action). Announcing never fails a commit: without Redis, or while it is
unreachable, other instances see the change at their next periodic look (console/live.py).
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

import redis
from redis.connection import parse_url
from sqlalchemy import event
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.requests.models import HelpRequest
from console import Nudges

log = logging.getLogger(__name__)

CHANNEL = "coupdemain:console:conversations"  # + ":<db>": see channel_for
LISTENER_STOP_SECONDS = 3.0  # its wait for a message is 1 s
_CHANGED = "coupdemain_conversations_changed"
_WATCHED = (Conversation, ConversationMessage, HelpRequest)
_feeds: dict[str, list[ChangeFeed]] = {}
_feeds_lock = threading.Lock()


def _key(session: Session) -> str | None:
    bind = session.get_bind()
    # A session bound to a connection reports its engine's URL: one key per database.
    return None if bind is None else bind.engine.url.render_as_string(hide_password=True)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: Any) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, _WATCHED) for row in touched):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    with _feeds_lock:
        feeds = list(_feeds.get(_key(session) or "", ()))
    for feed in feeds:
        feed.changed()


def channel_for(redis_url: str) -> str:
    """The channel of the Redis database `redis_url` names. A Redis server's pub/sub channels
    are shared by all its databases: with the number in the name, deployments (or test runs)
    kept apart by their database number also stay apart here, as their keys do."""
    db = parse_url(redis_url).get("db") or 0
    return f"{CHANNEL}:{db}"


class ChangeFeed:
    """One web instance's side: nudges its own pages, tells the others, hears the others."""

    def __init__(self, database_url: str, nudges: Nudges, redis_url: str | None = None) -> None:
        self.nudges = nudges
        self._database = _url_key(database_url)
        self._redis_url = redis_url
        self.channel = channel_for(redis_url) if redis_url else None
        self._redis: redis.Redis | None = None
        self._listener: Any = None
        self._stopping = False
        self._me = uuid.uuid4().hex

    def start(self) -> None:
        with _feeds_lock:
            _feeds.setdefault(self._database, []).append(self)
        if self._redis_url:
            self._redis = redis.Redis.from_url(
                self._redis_url, socket_connect_timeout=2, socket_timeout=2
            )
            self._listen()

    def stop(self) -> None:
        self._stopping = True
        with _feeds_lock:
            if self in _feeds.get(self._database, []):
                _feeds[self._database].remove(self)
        listener, self._listener = self._listener, None
        if listener is not None:
            # Its loop ends within its 1 s wait and closes its connection: only then may the
            # client close, or the loop would fail reading a closed socket (and say so).
            listener.stop()
            listener.join(LISTENER_STOP_SECONDS)
        if self._redis is not None:
            self._redis.close()

    def changed(self) -> None:
        self.nudges.nudge()
        if self._redis is None:
            return
        try:
            self._redis.publish(self.channel or CHANNEL, self._me)
        except redis.RedisError as exc:  # other instances will look at their next refresh
            log.warning("live updates: Redis publish failed (%s); other instances poll", exc)

    def _listen(self) -> None:
        assert self._redis is not None
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(**{self.channel or CHANNEL: self._heard})
        except redis.RedisError as exc:
            log.warning("live updates: Redis unreachable (%s); pages poll the database", exc)
            return
        self._listener = pubsub.run_in_thread(
            sleep_time=1.0, daemon=True, exception_handler=self._listener_failed
        )

    def _heard(self, message: dict[str, Any]) -> None:
        sender = message.get("data")
        if isinstance(sender, bytes) and sender.decode() != self._me:
            self.nudges.nudge()

    def _listener_failed(self, exc: BaseException, pubsub: Any, thread: Any) -> None:
        thread.stop()
        if self._stopping:  # `stop` closing the connection under it: nothing went wrong
            log.debug("live updates: Redis listener ended while stopping (%s)", exc)
            return
        log.warning("live updates: Redis listener stopped (%s); pages poll the database", exc)
        self._listener = None


def _url_key(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(database_url).render_as_string(hide_password=True)
