"""The daily purge: old transcripts and call data go, recent and live ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.conversations.models import Conversation, ConversationMessage
from backend.jobs.models import Job, JobStatus
from backend.jobs.service import run_due
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.privacy import PURGE_JOB, RetentionPolicy, purge, purge_job, schedule_purge
from tests.factories import make_resident

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
POLICY = RetentionPolicy(transcript_days=180, call_days=90)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def conversation(
    session: Session, channel: str, address: str, *, person_id: int | None, **kw: Any
) -> Conversation:
    kw.setdefault("created_at", days_ago(1000))
    row = Conversation(
        channel=channel, address=address, person_id=person_id, last_message_at=days_ago(1000), **kw
    )
    session.add(row)
    session.flush()
    return row


def said(
    session: Session, conv: Conversation, text: str, age_days: float, external_id: str | None = None
) -> None:
    at = days_ago(age_days)
    session.add(
        ConversationMessage(
            conversation_id=conv.id,
            direction="in",
            author="person",
            text=text,
            payload={"replies": [{"text": f"réponse à {text}"}]},
            external_id=external_id,
            created_at=at,
        )
    )
    conv.last_message_at = max(conv.last_message_at, at)
    session.flush()


def texts(session: Session) -> set[str]:
    return set(session.scalars(select(ConversationMessage.text)))


def neighbourhood(session: Session) -> dict[str, Any]:
    """A resident on Telegram and on the phone, an unknown caller, a dispatcher's case."""
    jeanne = make_resident(session, "Jeanne Martin", phone="+33612345678", telegram_id=700001)
    tg = conversation(session, "telegram", "700001", person_id=jeanne.id, created_at=days_ago(400))
    said(session, tg, "vieux message telegram", 200, "tg:1")
    said(session, tg, "message telegram récent", 10, "tg:2")
    tg.flow, tg.step, tg.state = "request", "ask_when", {"slots": {"service": "errands"}}
    call = conversation(session, "voice", "+33612345678", person_id=jeanne.id)
    said(session, call, "vieil appel", 100, "voice:CA1:1")
    said(session, call, "appel récent", 30, "voice:CA2:1")
    stranger = conversation(session, "voice", "+33698765432", person_id=None)
    said(session, stranger, "appel d'un inconnu", 120, "voice:CA3:1")
    live = conversation(
        session, "telegram", "700002", person_id=None, handled_by="dispatcher", flags=[]
    )
    said(session, live, "vieux mais suivi par une opératrice", 300)
    live.state = {"slots": {"details": "à suivre"}}
    for status, age, channel in (
        (OutboxStatus.sent, 200, "telegram"),
        (OutboxStatus.sent, 100, "voice_call"),
        (OutboxStatus.sent, 100, "sms"),
        (OutboxStatus.pending, 200, "telegram"),
        (OutboxStatus.sent, 10, "telegram"),
    ):
        session.add(
            OutboxMessage(
                channel=channel,
                address="+33612345678",
                kind="assigned_requester",
                payload={"helper_first_name": "Bruno", "age": age},
                person_id=jeanne.id,
                dedupe_key=f"k:{status}:{age}:{channel}",
                status=status,
                created_at=days_ago(age),
            )
        )
    session.commit()
    return {
        "jeanne": jeanne,
        "tg": tg.id,
        "call": call.id,
        "stranger": stranger.id,
        "live": live.id,
    }


def test_purge_deletes_old_transcripts_and_keeps_recent_and_live_ones(session: Session) -> None:
    n = neighbourhood(session)
    report = purge(session, POLICY, NOW)
    session.commit()

    assert texts(session) == {
        "message telegram récent",
        "appel récent",  # 30 days: within the 90 of call data
        "vieux mais suivi par une opératrice",  # a dispatcher has it: nothing goes
    }
    assert report.counts["call messages"] == 2  # Jeanne's old call and the stranger's
    assert report.counts["conversation messages"] == 1
    assert report.counts["idle unidentified calls"] == 1
    assert session.get(Conversation, n["stranger"]) is None  # the unknown caller's number
    live = session.get_one(Conversation, n["live"])
    assert live.state == {"slots": {"details": "à suivre"}}
    tg = session.get_one(Conversation, n["tg"])
    assert tg.flow == "request" and tg.state  # talked 10 days ago: the flow goes on


def test_purge_resets_the_state_of_a_conversation_idle_beyond_retention(session: Session) -> None:
    n = neighbourhood(session)
    purge(session, POLICY, NOW + timedelta(days=200))
    session.commit()
    tg = session.get_one(Conversation, n["tg"])
    assert (tg.flow, tg.step, tg.state) == (None, None, {})
    assert tg.person_id == n["jeanne"].id  # still Jeanne's: the next message is recognised


def test_purge_blanks_delivered_outbox_payloads_and_keeps_their_dedupe_keys(
    session: Session,
) -> None:
    neighbourhood(session)
    report = purge(session, POLICY, NOW)
    session.commit()
    rows = {
        (m.status, m.payload.get("age"), m.channel): m
        for m in session.scalars(select(OutboxMessage))
    }
    blanked = [m for m in session.scalars(select(OutboxMessage)) if m.payload == {}]
    assert {(m.channel, m.address) for m in blanked} == {("telegram", ""), ("voice_call", "")}
    assert all(m.dedupe_key for m in blanked)  # a retry of the same message is still no-op
    assert rows[(OutboxStatus.pending, 200, "telegram")].address == "+33612345678"  # live
    assert rows[(OutboxStatus.sent, 100, "sms")].address == "+33612345678"  # SMS: 180 days
    assert report.counts["delivered outbox messages blanked"] == 2


def test_purge_keeps_a_recent_webhook_id_blanked_so_a_retry_is_still_recognised(
    session: Session,
) -> None:
    jeanne = make_resident(session, "Jeanne Martin", telegram_id=700001)
    tg = conversation(session, "telegram", "700001", person_id=jeanne.id)
    said(session, tg, "il y a trois jours", 3, "tg:10")
    said(session, tg, "il y a dix jours", 10, "tg:11")
    session.commit()

    purge(session, RetentionPolicy(transcript_days=1, call_days=1), NOW)
    session.commit()
    rows = list(session.scalars(select(ConversationMessage)))
    assert [(m.external_id, m.text, m.payload) for m in rows] == [("tg:10", "", {})]


def test_dry_run_counts_what_would_go_and_changes_nothing(session: Session) -> None:
    neighbourhood(session)
    before = texts(session)
    dry = purge(session, POLICY, NOW, dry_run=True)
    session.commit()
    assert texts(session) == before
    assert dry.dry_run and dry.total > 0
    assert any(line == "would purge 2 call messages" for line in dry.lines())
    real = purge(session, POLICY, NOW)
    assert real.counts == dry.counts


def test_the_purge_job_runs_and_books_the_next_day(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    neighbourhood(session)
    schedule_purge(session, NOW)
    session.commit()

    ran = run_due(session_factory, {PURGE_JOB: purge_job(POLICY)}, now=lambda: NOW)

    assert ran == 1
    with session_factory() as s:
        jobs = list(s.scalars(select(Job).where(Job.kind == PURGE_JOB).order_by(Job.id)))
        assert [(j.status, j.run_at) for j in jobs] == [
            (JobStatus.done, NOW),
            (JobStatus.pending, NOW + timedelta(days=1)),
        ]
        assert "vieux message telegram" not in texts(s)


def test_asking_twice_for_a_day_purge_books_one_job(session: Session) -> None:
    first = schedule_purge(session, NOW)
    second = schedule_purge(session, NOW + timedelta(hours=3))
    assert first.id == second.id
