"""Three conversations under way when the demo starts, so the console has something to
supervise before anyone types: a call that dropped mid-request, a Telegram resident waiting
for a person, and an ordinary exchange. Their words are what the bot says in those steps."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.people.models import Person
from coupdemain.demo.people import PersonPlan

Line = tuple[str, str]  # author, text

DROPPED_CALL: list[Line] = [
    ("bot", "Bonjour {first}, ici Coup de main. Que puis-je faire pour vous ?"),
    ("person", "oui bonjour euh c'est pour mes courses je n'arrive plus à porter les sacs"),
    ("bot", "Vous avez besoin d'aide pour des courses. Pour quel jour ?"),
    ("person", "jeudi matin si c'est possible"),
]
WAITING: list[Line] = [
    ("person", "Bonjour, je voudrais parler à quelqu'un svp"),
    ("bot", "Je préviens une personne de l'équipe. Elle vous répondra ici même."),
]
ORDINARY: list[Line] = [
    ("person", "Hello, is someone coming for the boxes on Saturday?"),
    ("bot", "You have no request in progress."),
    ("person", "ok thanks"),
]


def seed_conversations(
    session: Session, plans: list[PersonPlan], people: dict[str, Person], now: datetime
) -> None:
    caller = next(p for p in plans if p.hotline_caller)
    waiting = next(p for p in plans if p.telegram_id and p.language == "fr" and not p.helper)
    ordinary = next(p for p in plans if p.telegram_id and p.language == "en" and not p.helper)
    _conversation(
        session,
        people[caller.key],
        "voice",
        caller.phone,
        DROPPED_CALL,
        now - timedelta(minutes=9),
        flow="request_help",
        step="when",
        flags=["dropped_call"],
    )
    _conversation(
        session,
        people[waiting.key],
        "telegram",
        str(waiting.telegram_id),
        WAITING,
        now - timedelta(minutes=3),
        flags=["asked_for_human"],
        handled_by="waiting",
    )
    _conversation(
        session, people[ordinary.key], "telegram", str(ordinary.telegram_id), ORDINARY,
        now - timedelta(minutes=40),
    )  # fmt: skip


def _conversation(
    session: Session,
    person: Person,
    channel: str,
    address: str,
    lines: list[Line],
    started: datetime,
    *,
    flow: str | None = None,
    step: str | None = None,
    flags: list[str] | None = None,
    handled_by: str = "bot",
) -> None:
    at = started
    conversation = Conversation(
        channel=channel, address=address, person_id=person.id, language=person.language,
        flow=flow, step=step, flags=flags or [], handled_by=handled_by, created_at=started,
        last_message_at=started + timedelta(seconds=40 * (len(lines) - 1)),
    )  # fmt: skip
    session.add(conversation)
    session.flush()
    first = person.display_name.split()[0]
    for author, text in lines:
        session.add(
            ConversationMessage(
                conversation_id=conversation.id, direction="in" if author == "person" else "out",
                author=author, text=text.format(first=first), created_at=at,
            )
        )  # fmt: skip
        at += timedelta(seconds=40)
