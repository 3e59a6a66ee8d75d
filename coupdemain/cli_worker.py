"""`coupdemain worker`: the outbox and jobs workers as a process of their own.

Beside web processes started with `coupdemain serve --no-workers` (or `--web-processes N`,
which starts one of these itself), on the same database. Any number may run: each row is
claimed by one worker at a time (backend/leasing.py). SIGTERM or SIGINT: each loop finishes
the message or job in hand, then the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from coupdemain.settings import Settings

log = logging.getLogger("coupdemain")


def worker(
    outbox: Annotated[bool, typer.Option(help="deliver the outbox's messages")] = True,
    jobs: Annotated[bool, typer.Option(help="run the timers (offers that expire...)")] = True,
    concurrency: Annotated[
        int, typer.Option(min=1, help="outbox loops in this process (sends wait on providers)")
    ] = 1,
) -> None:
    """The outbox and jobs workers, without the web app."""
    from backend.db import make_engine, make_session_factory
    from console import Nudges
    from coupdemain.bootstrap import prepare_database
    from coupdemain.cli import _setup_logging
    from coupdemain.configuration import dispatch_config
    from coupdemain.live_updates import ChangeFeed
    from coupdemain.workers import (
        SHUTDOWN_GRACE,
        build_workers,
        job_handlers,
        retention_policy,
        senders,
    )

    settings = Settings()
    _setup_logging(settings)
    if not (outbox or jobs):
        typer.echo("Nothing to run: --no-outbox and --no-jobs.", err=True)
        raise typer.Exit(2)
    prepare_database(settings)
    engine = make_engine(settings.resolved_database_url)
    factory = make_session_factory(engine)
    # A timer that changes a request wakes the console pages of the web processes (Redis).
    feed = ChangeFeed(settings.resolved_database_url, Nudges(), settings.redis_url)
    channel_senders = senders(settings, factory=factory) if outbox else {}
    workers = build_workers(
        factory,
        channel_senders,
        job_handlers(dispatch_config(settings).policy, retention_policy(settings)),
        outbox=outbox,
        jobs=jobs,
        concurrency=concurrency,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s: finishing the work in hand, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    feed.start()
    workers.start()
    log.info("worker ready (outbox: %s, jobs: %s)", _on(outbox), _on(jobs))
    try:
        while not stop.wait(1.0):
            pass
    finally:
        clean = workers.stop(timeout=SHUTDOWN_GRACE)
        feed.stop()
        engine.dispose()
    if not clean:
        log.warning("a worker loop was still busy at shutdown; its row's lease will run out")
        raise typer.Exit(1)
    log.info("worker stopped")


def _on(flag: bool) -> str:
    return "on" if flag else "off"
