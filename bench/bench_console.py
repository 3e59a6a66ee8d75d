"""The console's live updates: what one refresh of an open page costs the server.

Every open console page checks once a second whether its fragment changed, and renders it
again only then (console/live.py), so the cost of one check and of one render say how many open
pages one core can keep live. Measured on a neighbourhood
with 20,000 conversations (600 active in the last 24 hours, 150 older ones still flagged) of
six messages each, on SQLite and PostgreSQL; the baseline, in the same run, is the bare ORM
read of the 100 most recent conversations that any such list needs at least.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

import backend.models  # noqa: F401  (every table on Base.metadata)
from backend.conversations.models import Conversation, ConversationMessage
from backend.db import Base, make_engine, make_session_factory, utcnow
from bench.throwaway import throwaway_postgres
from console.i18n import Translator
from console.pages.conversations import live_rows, live_transcript, live_version

CONVERSATIONS = 20_000
RECENT = 600
FLAGGED_OLD = 150
MESSAGES_EACH = 6
RUNS = 40


def _seed(factory: sessionmaker[Session]) -> int:
    rng = random.Random(7)
    now = utcnow()
    rows = []
    for n in range(CONVERSATIONS):
        hours = rng.uniform(0, 23) if n < RECENT else rng.uniform(25, 24 * 90)
        flags = ["asked_for_human"] if RECENT <= n < RECENT + FLAGGED_OLD else []
        if n % 50 == 0:
            flags = ["emergency"]
        rows.append(
            {
                "channel": "telegram" if n % 3 else "voice",
                "address": str(700_000 + n),
                "language": "fr",
                "state": {},
                "flags": flags,
                "handled_by": "bot",
                "last_message_at": now - timedelta(hours=hours),
                "created_at": now - timedelta(hours=hours + 1),
            }
        )
    with factory() as s, s.begin():
        s.execute(insert(Conversation), rows)
        ids = list(s.scalars(select(Conversation.id)))
        messages = [
            {
                "conversation_id": cid,
                "direction": "in" if m % 2 == 0 else "out",
                "author": "person" if m % 2 == 0 else "bot",
                "text": f"message {m} de la conversation {cid}, assez long pour être réaliste",
                "payload": {},
            }
            for cid in ids
            for m in range(MESSAGES_EACH)
        ]
        for start in range(0, len(messages), 20_000):
            s.execute(insert(ConversationMessage), messages[start : start + 20_000])
    return ids[0]


def _timed(factory: sessionmaker[Session], work: Callable[[Session], object]) -> list[float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        with factory() as s, s.begin():
            work(s)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _baseline(session: Session) -> object:
    return list(
        session.scalars(
            select(Conversation).order_by(Conversation.last_message_at.desc()).limit(100)
        )
    )


def _report(label: str, times: list[float], base: list[float]) -> None:
    median, base_median = statistics.median(times), statistics.median(base)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    print(
        f"  {label:<28} median {median:7.2f} ms  p95 {p95:7.2f} ms  "
        f"({median / base_median:4.1f}x the baseline; {1000 / median:5.0f} a second on one core)"
    )


def _run(url: str, name: str) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    first = _seed(factory)
    t = Translator("fr")
    base = _timed(factory, _baseline)
    print(f"{name}: {CONVERSATIONS} conversations, {CONVERSATIONS * MESSAGES_EACH} messages")
    print(f"  {'baseline (100 latest rows)':<28} median {statistics.median(base):7.2f} ms")
    _report("live list, something changed", _timed(factory, lambda s: live_rows(s, t)), base)
    _report("live list, nothing changed", _timed(factory, live_version), base)
    _report(
        "live transcript fragment", _timed(factory, lambda s: live_transcript(s, first, t)), base
    )
    engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _run(f"sqlite:///{folder}/bench.db", "SQLite")
    with throwaway_postgres("cdm_bench_console") as url:
        if url:
            _run(url, "PostgreSQL")


if __name__ == "__main__":
    main()
