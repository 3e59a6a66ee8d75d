"""The outbox and jobs workers wired from settings, for `coupdemain worker` and for the
workers `coupdemain serve` embeds in its web process (the single-process default).

Each outbox loop has its own worker id and claims one row at a time (backend/outbox/service.py),
so `concurrency` loops in one process, and any number of processes, deliver every message once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backend.calls.follow_up import FOLLOW_UP_JOB, follow_up_job
from backend.db import utcnow
from backend.dispatch.jobs import job_handlers as dispatch_job_handlers
from backend.dispatch.service import DispatchPolicy
from backend.jobs.service import JobHandler, run_due
from backend.listings.service import EXPIRY_SWEEP_JOB, expiry_sweep_job, schedule_expiry_sweep
from backend.outbox.service import DEFAULT_LEASE, Sender, deliver_due, new_worker_id
from backend.privacy.retention import PURGE_JOB, RetentionPolicy, purge_job, schedule_purge
from backend.workers import PollingWorker
from bots.telegram import TelegramSender
from bots.voice import CallSender, SmsSender, VoiceChannel
from bots.voice.client import twilio_client
from coupdemain.settings import Settings
from dialogues.notifications import render_notification

log = logging.getLogger("coupdemain")


def retention_policy(settings: Settings) -> RetentionPolicy:
    """How long transcripts and call data are kept (COUPDEMAIN_RETENTION_*_DAYS)."""
    return RetentionPolicy(
        transcript_days=settings.retention_transcript_days,
        call_days=settings.retention_call_days,
    )


def job_handlers(
    policy: DispatchPolicy, retention: RetentionPolicy | None = None
) -> dict[str, JobHandler]:
    """Every domain's timers, by kind."""
    return {
        **dispatch_job_handlers(policy),
        EXPIRY_SWEEP_JOB: expiry_sweep_job,
        FOLLOW_UP_JOB: follow_up_job,  # the care call after a job (bots/voice places it)
        PURGE_JOB: purge_job(retention or RetentionPolicy()),  # old transcripts, daily
    }


def book_recurring_jobs(factory: sessionmaker[Session]) -> None:
    """The first run of each recurring job, unless booked already (each run books the next):
    today's personal-data purge and this hour's sweep of expired listings."""
    now = utcnow()
    for attempt in (1, 2):
        try:
            with factory() as session, session.begin():
                schedule_purge(session, now)
                schedule_expiry_sweep(session, now)
            return
        except IntegrityError:
            # Two workers starting together both found nothing booked and both inserted: the
            # other one's row won the unique dedupe key, and a second look finds it booked.
            if attempt == 2:
                raise


def senders(
    settings: Settings,
    voice: VoiceChannel | None = None,
    *,
    factory: sessionmaker[Session] | None = None,
) -> dict[str, Sender]:
    """Channels whose credentials are configured; the others are off and say so.

    Twilio's senders come from the web process's `voice` channel, or, in a worker process
    (no webhooks there), straight from the settings and `factory`.
    """
    configured: dict[str, Sender] = {}
    if not settings.telegram_enabled or settings.telegram_token is None:
        log.warning("Telegram is off: COUPDEMAIN_TELEGRAM_TOKEN is not set")
    else:
        configured["telegram"] = TelegramSender(
            settings.telegram_token.get_secret_value(),
            settings.telegram_api_url,
            render_notification,
        )
    if not settings.twilio_enabled or settings.twilio_auth_token is None:
        log.warning(
            "Twilio (voice and SMS) is off: COUPDEMAIN_TWILIO_ACCOUNT_SID/AUTH_TOKEN not set"
        )
    elif voice is not None:
        configured.update(voice.senders())  # "sms" and "voice_call"
    elif factory is not None:
        if not settings.twilio_number:
            log.warning("SMS and calls out are off: COUPDEMAIN_TWILIO_NUMBER is not set")
        else:
            client = twilio_client(
                settings.twilio_account_sid or "",
                settings.twilio_auth_token.get_secret_value(),
                settings.twilio_api_url,
            )
            number = settings.twilio_number
            configured["sms"] = SmsSender(client, number, render_notification, factory)
            configured["voice_call"] = CallSender(
                client, number, render_notification, factory, public_url=settings.public_url
            )
    return configured


@dataclass
class Workers:
    """One process's worker loops and the senders they share (their connections)."""

    loops: list[PollingWorker] = field(default_factory=list)
    senders: Mapping[str, Sender] = field(default_factory=dict)

    def start(self) -> None:
        for loop in self.loops:
            loop.start()

    def stop(self, timeout: float = 10.0) -> bool:
        """Every loop finishes its row in hand, then ends; False if one is still running."""
        for loop in self.loops:
            loop.request_stop()
        stopped = all([loop.join(timeout) for loop in self.loops])
        for sender in self.senders.values():
            if isinstance(sender, TelegramSender):
                sender.close()
        return stopped


def build_workers(
    factory: sessionmaker[Session],
    channel_senders: Mapping[str, Sender],
    handlers: Mapping[str, JobHandler],
    *,
    outbox: bool = True,
    jobs: bool = True,
    concurrency: int = 1,
    interval: float = 1.0,
) -> Workers:
    """`concurrency` outbox loops (sends wait on providers) and one jobs loop (timers are
    short database transactions)."""
    loops: list[PollingWorker] = []
    if outbox:
        if channel_senders:
            on = ", ".join(sorted(channel_senders))
            log.info("outbox: %d worker(s) sending on %s", concurrency, on)
        else:
            log.warning("outbox: no channel is on; messages wait until one is configured")
        for n in range(concurrency):
            loops.append(
                PollingWorker(
                    f"outbox-worker-{n + 1}",
                    _outbox_tick(factory, channel_senders, new_worker_id("outbox")),
                    interval,
                )
            )
    if jobs:
        book_recurring_jobs(factory)
        worker_id = new_worker_id("jobs")
        loops.append(
            PollingWorker(
                "jobs-worker",
                lambda loop: run_due(factory, handlers, worker=worker_id, stop=loop.stopping),
                interval,
            )
        )
    return Workers(loops, channel_senders)


def _outbox_tick(
    factory: sessionmaker[Session], channel_senders: Mapping[str, Sender], worker_id: str
) -> Callable[[PollingWorker], int]:
    def tick(loop: PollingWorker) -> int:
        report = deliver_due(factory, channel_senders, worker=worker_id, stop=loop.stopping)
        return sum(vars(report).values())  # 0: idle, the loop sleeps

    return tick


SHUTDOWN_GRACE = DEFAULT_LEASE.total_seconds()  # a send in hand ends within its lease
