"""The phone line as the web app sees it: routes to mount, and the outbox's senders."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker

from backend.outbox.service import Sender
from backend.people.models import ContactKind, Person
from bots.voice.client import TWILIO_API, twilio_client
from bots.voice.render import Transfers
from bots.voice.sender import CallSender, SmsSender
from bots.voice.signature import TwilioSignature
from bots.voice.webhook import voice_router
from dialogues.protocols import ConversationEngine, NotificationRenderer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    public_url: str  # where Twilio reaches our webhooks; what signatures are checked against
    number: str | None = None  # the hotline: caller id of masked calls, sender of SMS and calls
    api_url: str = TWILIO_API
    dispatcher_phone: str | None = None  # where calls are transferred
    default_language: str = "fr"
    concurrent_turns: int | None = None  # engine turns at once per process (1 on SQLite)


class VoiceChannel:
    """Twilio voice and SMS for `coupdemain serve`."""

    def __init__(
        self,
        config: TwilioConfig,
        *,
        engine: ConversationEngine,
        session_factory: sessionmaker[Session],
        renderer: NotificationRenderer,
    ) -> None:
        self.config = config
        self._engine = engine
        self._factory = session_factory
        self._renderer = renderer
        self.signature = TwilioSignature(config.auth_token, config.public_url)
        if not config.dispatcher_phone:
            log.warning("COUPDEMAIN_DISPATCHER_PHONE is not set: callers cannot be transferred")

    @cached_property
    def router(self) -> APIRouter:
        """`/voice/...` and `/sms/incoming`."""
        return voice_router(
            self._engine,
            self.signature,
            public_url=self.config.public_url,
            transfers=Transfers(
                dispatcher=self.config.dispatcher_phone,
                hotline=self.config.number,
                phone_of=self.phone_of,
            ),
            default_language=self.config.default_language,
            concurrent_turns=self.config.concurrent_turns,
        )

    def senders(self) -> dict[str, Sender]:
        """The outbox's "sms" and "voice_call" senders; none without a hotline number."""
        if not self.config.number:
            log.warning("SMS and calls out are off: COUPDEMAIN_TWILIO_NUMBER is not set")
            return {}
        client = twilio_client(self.config.account_sid, self.config.auth_token, self.config.api_url)
        number = self.config.number
        return {
            "sms": SmsSender(client, number, self._renderer, self._factory),
            "voice_call": CallSender(
                client, number, self._renderer, self._factory, public_url=self.config.public_url
            ),
        }

    def phone_of(self, person_id: int) -> str | None:
        with self._factory() as session:
            person = session.get(Person, person_id)
            return person.contact(ContactKind.phone) if person is not None else None
