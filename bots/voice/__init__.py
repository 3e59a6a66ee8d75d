"""Twilio channel adapter: the hotline's calls and SMS in (webhooks), calls and SMS out (outbox).

- `VoiceChannel`: the routes to mount and the outbox's senders, from a `TwilioConfig`;
- `voice_router`: `/voice/incoming`, `/voice/turn`, `/voice/outbound`, `/voice/status`,
  `/voice/dialed`, `/sms/incoming`;
- `render_call`: the engine's replies as TwiML;
- `SmsSender`, `CallSender`: the outbox's senders for the channels "sms" and "voice_call".
"""

from bots.voice.channel import TwilioConfig, VoiceChannel
from bots.voice.render import render_call
from bots.voice.sender import CallSender, SmsSender
from bots.voice.webhook import voice_router

__all__ = ["CallSender", "SmsSender", "TwilioConfig", "VoiceChannel", "render_call", "voice_router"]
