"""The channel-neutral envelope: what a person sent, and what we answer.

An adapter in `bots/` turns a Telegram update or a Twilio webhook into an `Incoming`, hands it
to the engine, and renders the `Outgoing` replies in its own way: Telegram messages with
buttons, or TwiML with <Say> and <Gather> where choices become numbered keypad options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class Contact:
    """A phone number shared by the person (Telegram's contact button, or caller id)."""

    phone: str
    user_id: str | None = None  # the Telegram user whose contact this is, if known
    first_name: str | None = None


@dataclass(frozen=True)
class Incoming:
    channel: str  # telegram, voice, sms, terminal
    address: str  # chat id, caller's number: where replies go
    text: str | None = None  # typed text or speech transcript
    choice: str | None = None  # id of a pressed button
    digits: str | None = None  # keypad
    location: Location | None = None
    contact: Contact | None = None
    language: str | None = None  # the channel's hint (Telegram's language_code)
    speech_confidence: float | None = None
    silence: bool = False  # a phone turn with no answer
    external_id: str | None = None  # update_id, CallSid+turn: a retry carries the same
    sender_name: str | None = None  # the name the channel knows (Telegram first name)
    sender_id: str | None = None  # the channel's user id (Telegram user id)


class Expect(StrEnum):
    """What answer a reply waits for: adapters choose the input to offer."""

    text = "text"
    choice = "choice"
    yes_no = "yes_no"
    location = "location"  # an address in words, or a shared location
    contact = "contact"  # a phone number, or a shared contact
    nothing = "nothing"  # a statement; the conversation is not waiting


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    key: str | None = None  # keypad digit on the phone


@dataclass(frozen=True)
class Outgoing:
    text: str
    choices: tuple[Choice, ...] = ()
    expect: Expect = Expect.nothing
    handoff: bool = False  # a human takes over: the phone transfers the call
    end: bool = False  # the conversation is over: the phone hangs up

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "choices": [{"id": c.id, "label": c.label, "key": c.key} for c in self.choices],
            "expect": str(self.expect),
            "handoff": self.handoff,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outgoing:
        return cls(
            text=data["text"],
            choices=tuple(Choice(**c) for c in data.get("choices", [])),
            expect=Expect(data.get("expect", Expect.nothing)),
            handoff=bool(data.get("handoff")),
            end=bool(data.get("end")),
        )


@dataclass
class TurnResult:
    """The replies to one incoming message, plus what the adapter may want to know."""

    replies: list[Outgoing] = field(default_factory=list)
    duplicate: bool = False  # a retry: these are the replies already given
    silent: bool = False  # a dispatcher has the conversation: the bot says nothing
    language: str = "fr"
    # How the phone delivers the replies, learned per caller (dialogues/phone_learning.py);
    # other channels ignore them.
    pace: str = "normal"  # "slow": a slower voice, and more time to answer
    keypad_first: bool = False  # a question says its keys first: "Tapez 1 pour ..."
