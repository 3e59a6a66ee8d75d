"""Telegram `Update` -> channel-neutral `Incoming`: the only place that reads Telegram's shapes."""

from __future__ import annotations

from dataclasses import replace

from telegram import Message, Update

from dialogues.messages import Contact, Incoming, Location

CHANNEL = "telegram"


def malformed(update: Update) -> str | None:
    """What makes this update one Telegram would never send, or None.

    Telegram's ids are integers; python-telegram-bot keeps whatever the JSON held, and a chat
    id "abc" would become a conversation of its own that no message can ever reach."""
    chat, user = update.effective_chat, update.effective_user
    contact = update.message.contact if update.message is not None else None
    for name, value in (
        ("chat.id", chat.id if chat else 0),
        ("from.id", user.id if user else 0),
        ("contact.user_id", contact.user_id if contact and contact.user_id is not None else 0),
    ):
        if not _is_integer(value):
            return f"{name} must be an integer, got {value!r}"[:200]
    return None


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def to_incoming(update: Update) -> Incoming | None:
    """What the person said in this update, or None when it is not a turn of a conversation.

    Only private chats are conversations: in a group, everyone's messages would feed one
    conversation keyed by the group's chat id. Edited messages are not new turns. A message
    we cannot read (a sticker, a voice note, a photo without caption) still becomes an
    `Incoming` with no content, so that the engine can answer it instead of silence.
    """
    chat = update.effective_chat
    if chat is None or chat.type != chat.PRIVATE:
        return None
    user = update.effective_user
    who = Incoming(
        channel=CHANNEL,
        address=str(chat.id),
        external_id=f"tg:{update.update_id}",
        sender_id=str(user.id) if user else None,
        sender_name=user.first_name if user else None,
        language=user.language_code if user else None,
    )
    query = update.callback_query
    if query is not None:
        if not query.data:  # a game button or an expired inline keyboard: nothing chosen
            return None
        return replace(who, choice=query.data)
    if update.message is None:
        return None
    return _with_content(who, update.message)


def _with_content(who: Incoming, message: Message) -> Incoming:
    if message.contact is not None:
        contact = message.contact
        return replace(
            who,
            contact=Contact(
                phone=contact.phone_number,
                # Telegram sets user_id only when the contact is a Telegram user: for the
                # "share my number" button it is the sender themself, which links the identity.
                user_id=str(contact.user_id) if contact.user_id else None,
                first_name=contact.first_name,
            ),
        )
    if message.location is not None:  # also a venue, which carries its location
        where = message.location
        return replace(who, location=Location(lat=where.latitude, lon=where.longitude))
    if message.text is not None:
        return replace(who, text=normalise_command(message.text))
    return replace(who, text=message.caption or None)


def normalise_command(text: str) -> str:
    """`/start@CoupDeMainBot payload` -> `/start payload`: the engine need not know our name."""
    if not text.startswith("/"):
        return text
    command, sep, rest = text.partition(" ")
    return command.split("@", 1)[0] + sep + rest
