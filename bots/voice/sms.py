"""Replies and notifications as SMS text: buttons degrade to what can be answered by text.

An offer says "Répondez OUI 123 ou NON 123" (the offer's id: an SMS has no reply threading);
other keyed choices become "Répondez par un chiffre : 1 pour « Oui », 2 pour « Non »".
"""

from __future__ import annotations

from collections.abc import Sequence

from twilio.twiml.messaging_response import MessagingResponse

from dialogues.messages import Outgoing
from dialogues.prompts import Prompts

MAX_SMS = 1600  # Twilio's limit for one message body (it is split into segments)


def sms_text(replies: Sequence[Outgoing], language: str) -> str:
    p = Prompts(language)
    lines: list[str] = []
    for reply in replies:
        lines.append(reply.text)
        offer = next(
            (c.id.split(":")[2] for c in reply.choices if c.id.startswith("offer:accept:")), None
        )
        keyed = [c for c in reply.choices if c.key]
        if offer is not None:
            lines.append(p.say("sms.reply_offer", offer=offer))
        elif keyed:
            options = ", ".join(p.say("sms.option", digit=c.key, label=c.label) for c in keyed)
            lines.append(p.say("sms.reply_keys", options=options))
    text = "\n".join(line for line in lines if line)
    return text if len(text) <= MAX_SMS else text[: MAX_SMS - 1] + "…"


def sms_reply(replies: Sequence[Outgoing], language: str) -> str:
    """TwiML answering an incoming SMS: one message with every reply of the turn, or none."""
    response = MessagingResponse()
    text = sms_text(replies, language)
    if text:
        response.message(text)
    return str(response)
