"""`coupdemain chat`: the Telegram conversation in a terminal, on the same engine and database.

Buttons are numbered: type the number to press one. `/contact +336...` shares a phone number,
`/location 45.77 4.83` a position, `/quit` leaves. Messages the turn sent to other people
(an offer to a helper, a confirmation) are shown too, so a whole job can be followed; those
sent to this chat (an offer to this helper) come with their buttons, numbered after the
bot's, so a helper can accept or decline from here.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.outbox.models import OutboxMessage
from dialogues.messages import Contact, Incoming, Location, Outgoing
from dialogues.notifications import render_notification
from dialogues.protocols import ConversationEngine


class TerminalChat:
    def __init__(
        self,
        engine: ConversationEngine,
        factory: sessionmaker[Session],
        *,
        user_id: str,
        name: str,
        language: str,
        out: TextIO = sys.stdout,
    ) -> None:
        self._engine = engine
        self._factory = factory
        self._user_id = user_id
        self._name = name
        self._language = language
        self._out = out
        self._turns = itertools.count(1)
        self._choices: list[str] = []

    def _print(self, text: str = "") -> None:
        print(text, file=self._out, flush=True)

    def _show(self, replies: list[Outgoing]) -> None:
        self._choices = []
        for reply in replies:
            self._print(f"bot> {reply.text}")
            self._number(reply)

    def _number(self, reply: Outgoing) -> None:
        """The reply's buttons, numbered after those already on screen: typing the number
        sends the button's callback data, as pressing it on Telegram would."""
        for choice in reply.choices:
            self._choices.append(choice.id)
            self._print(f"     [{len(self._choices)}] {choice.label}")

    def _outbox_mark(self) -> int:
        with self._factory() as session:
            return session.scalar(select(func.max(OutboxMessage.id))) or 0

    def _show_outbox_since(self, mark: int) -> int:
        """Messages for other people (or from a dispatcher to us) since `mark`; the new mark."""
        with self._factory() as session:
            rows = session.scalars(
                select(OutboxMessage).where(OutboxMessage.id > mark).order_by(OutboxMessage.id)
            )
            for row in rows:
                mark = max(mark, row.id)
                for reply in render_notification(
                    row.kind, row.payload, row.payload.get("language", "fr")
                ):
                    self._print(f"  ↳ ({row.channel} to {row.address}) {reply.text}")
                    if self._is_mine(row):
                        self._number(reply)
        return mark

    def _is_mine(self, row: OutboxMessage) -> bool:
        """A message the bot sends to this chat (an offer to this helper, say): its buttons
        can be pressed here as on Telegram, where they would come with the message."""
        return row.channel == "telegram" and row.address == self._user_id

    def incoming_for(self, line: str) -> Incoming | None:
        base = Incoming(
            channel="telegram",
            address=self._user_id,
            sender_id=self._user_id,
            sender_name=self._name,
            language=self._language,
            external_id=f"terminal:{self._user_id}:{next(self._turns)}",
        )
        if line.isdigit() and 0 < int(line) <= len(self._choices):
            return replace(base, choice=self._choices[int(line) - 1])
        if line.startswith("/contact "):
            return replace(base, contact=Contact(phone=line[9:].strip(), user_id=self._user_id))
        if line.startswith("/location "):
            try:
                lat, lon = (float(x) for x in line[10:].replace(",", " ").split())
            except ValueError:
                self._print("usage: /location 45.7745 4.8320")
                return None
            return replace(base, location=Location(lat, lon))
        return replace(base, text=line)

    def run(self, read: Callable[[str], str] = input) -> None:
        self._print(
            "Coup de main — conversation Telegram simulée. /quit pour sortir ; une ligne vide "
            "affiche ce qui est arrivé entre-temps (un message d'un·e opérateur·rice)."
        )
        mark = self._outbox_mark()
        start = self.incoming_for("/start")
        assert start is not None  # a command the chat knows, never a usage line
        self._show(self._engine.handle(start).replies)
        mark = self._show_outbox_since(mark)
        while True:
            try:
                line = read("vous> ").strip()
            except (EOFError, KeyboardInterrupt):
                self._print()
                return
            if line in ("/quit", "/exit"):
                return
            if not line:
                mark = self._show_outbox_since(mark)  # what a dispatcher wrote meanwhile
                continue
            incoming = self.incoming_for(line)
            if incoming is None:
                continue
            result = self._engine.handle(incoming)
            self._show(result.replies)
            if result.silent:
                self._print("     (une personne de l'équipe a la conversation)")
            # After the replies, what arrived meanwhile too: the buttons of a message for this
            # chat are numbered after the replies', so every number on screen can be typed.
            mark = self._show_outbox_since(mark)
