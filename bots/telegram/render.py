"""Channel-neutral `Outgoing` replies -> Telegram messages with keyboards, and sending them.

Rendering is pure (tested without a network); `send` makes the Bot API calls. Text is sent
as plain text, never Markdown or HTML: replies quote what people typed (names, addresses),
and a stray `*` or `<` must not break or forge the formatting.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from dialogues.messages import Choice, Expect, Outgoing

log = logging.getLogger(__name__)

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted in UTF-16 code units by Telegram
MAX_CALLBACK_DATA = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove

# The labels of Telegram's own request buttons: only this channel has such buttons, so the
# engine's catalogue has no words for them. Keyed by language, French first.
REQUEST_LABELS: dict[str, dict[Expect, str]] = {
    "fr": {
        Expect.contact: "📱 Partager mon numéro",
        Expect.location: "📍 Envoyer ma position",
    },
    "en": {
        Expect.contact: "📱 Share my number",
        Expect.location: "📍 Send my location",
    },
}
LOCATION_PLACEHOLDER = {"fr": "ou tapez l'adresse", "en": "or type the address"}


@dataclass(frozen=True)
class Rendered:
    """One Bot API sendMessage: its text and keyboard."""

    text: str
    reply_markup: ReplyMarkup | None = None


def render(
    replies: Sequence[Outgoing], language: str = "fr", *, clear_reply_keyboard: bool = True
) -> list[Rendered]:
    """The messages that carry `replies`, in order.

    A reply keyboard (share contact / location) stays up until a message removes it. When no
    reply of this turn asks for a contact or a location, the conversation has moved on, so
    the first message that can carry it gets a `ReplyKeyboardRemove` (harmless when no
    keyboard was up; a message with inline buttons cannot carry it). The outbox passes
    `clear_reply_keyboard=False`: a notification must not disturb a conversation in progress.
    """
    wants_keyboard = any(r.expect in (Expect.contact, Expect.location) for r in replies)
    remove_pending = clear_reply_keyboard and not wants_keyboard
    messages: list[Rendered] = []
    for reply in replies:
        text, markup = _markup(reply, language)
        if markup is None and remove_pending:
            markup, remove_pending = ReplyKeyboardRemove(), False
        chunks = split_text(text)
        # The keyboard goes under the last chunk, next to the question it answers.
        messages.extend(Rendered(chunk) for chunk in chunks[:-1])
        messages.append(Rendered(chunks[-1], markup))
    return messages


def merge_statements(replies: Sequence[Outgoing]) -> list[Outgoing]:
    """Several replies as one message when only the last has buttons or awaits an answer.

    For the outbox: one row then makes one message, so a retry after a failure cannot send
    the first half twice, and a chat's 1 message/s budget is spent once.
    """
    if len(replies) < 2 or any(r.choices or r.expect != Expect.nothing for r in replies[:-1]):
        return list(replies)
    last = replies[-1]
    text = "\n\n".join(r.text for r in replies if r.text)
    return [Outgoing(text=text, choices=last.choices, expect=last.expect, end=last.end)]


async def send(bot: Bot, chat_id: int | str, messages: Sequence[Rendered]) -> list[Message]:
    """Send in order; the first failure stops (and raises) so that order is never broken."""
    return [
        await bot.send_message(chat_id=chat_id, text=m.text, reply_markup=m.reply_markup)
        for m in messages
    ]


def _markup(reply: Outgoing, language: str) -> tuple[str, ReplyMarkup | None]:
    if reply.expect in (Expect.contact, Expect.location):
        return reply.text, _request_keyboard(reply, language)
    if not reply.choices:
        return reply.text, None
    fits = [c for c in reply.choices if len(c.id.encode()) <= MAX_CALLBACK_DATA]
    if len(fits) < len(reply.choices):
        # An engine bug, but the person must still be able to answer: degrade to numbered
        # lines (as on the phone), which they can type.
        log.error("choice id over %d bytes: buttons shown as text", MAX_CALLBACK_DATA)
        return _numbered(reply.text, reply.choices), None
    return reply.text, InlineKeyboardMarkup(_rows(reply.choices))


def _rows(choices: Sequence[Choice]) -> list[list[InlineKeyboardButton]]:
    """Short labels side by side ("Oui" "Non"), long ones one per row so none is cut."""
    longest = max(len(c.label) for c in choices)
    per_row = 3 if longest <= 10 else 2 if longest <= 18 else 1
    buttons = [InlineKeyboardButton(c.label, callback_data=c.id) for c in choices]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _request_keyboard(reply: Outgoing, language: str) -> ReplyKeyboardMarkup:
    labels = REQUEST_LABELS.get(language, REQUEST_LABELS["fr"])
    share = KeyboardButton(
        labels[reply.expect],
        request_contact=reply.expect == Expect.contact or None,
        request_location=reply.expect == Expect.location or None,
    )
    # Other choices become plain buttons: pressing one sends its label as text, which the
    # engine reads like a typed answer (an inline keyboard cannot share the message).
    rows = [[share], *([KeyboardButton(c.label)] for c in reply.choices)]
    placeholder = None
    if reply.expect == Expect.location:  # an address in words is as good as a pin
        placeholder = LOCATION_PLACEHOLDER.get(language, LOCATION_PLACEHOLDER["fr"])
    return ReplyKeyboardMarkup(
        rows, resize_keyboard=True, one_time_keyboard=True, input_field_placeholder=placeholder
    )


def _numbered(text: str, choices: Sequence[Choice]) -> str:
    lines = [f"{c.key or i}. {c.label}" for i, c in enumerate(choices, start=1)]
    return "\n".join([text, "", *lines])


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` UTF-16 units (Telegram's measure: an emoji counts two), cut
    at a paragraph, then a line, then a space, and only as a last resort inside a word.
    Empty text becomes "…": Telegram refuses an empty message, and buttons need a message."""
    text = text.strip() or "…"
    pieces: list[str] = []
    while _utf16_len(text) > limit:
        head = _prefix_within(text, limit)
        cut = _cut_point(head)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text)
    return [p for p in pieces if p] or ["…"]


def _cut_point(head: str) -> int:
    # A paragraph break in the second half wins over a later line break or space: pieces
    # stay readable without becoming tiny.
    for separator in ("\n\n", "\n", " "):
        at = head.rfind(separator)
        if at > len(head) // 2:
            return at
    at = head.rfind(" ")
    return at if at > 0 else len(head)


def _prefix_within(text: str, limit: int) -> str:
    """The longest prefix of `text` that is at most `limit` UTF-16 units."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text
