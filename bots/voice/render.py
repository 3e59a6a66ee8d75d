"""Channel-neutral `Outgoing` replies -> one TwiML document: what the caller hears and keys.

Rasa's voice channel, in TwiML: every reply of the turn goes into the one HTTP response.
Statements are said first (not interruptible); the question is said inside a
`<Gather input="dtmf speech">`, so the caller may answer while it plays; its choices are read
as keypad options ("Pour « Oui », tapez 1"). A hand-off dials the dispatcher, or the other
party of a job (masked numbers: the hotline is the caller id); an end hangs up; a turn that
asks nothing asks "anything else?". Rendering is pure: tested without a network.

Voices: Amazon Polly (`Polly.Lea` in French, `Polly.Joanna` in English), whose standard voices
take SSML, so each sentence is wrapped in `<prosody rate="slow">`: elderly callers first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from dialogues.flows.masked_call import CONNECT
from dialogues.messages import Choice, Expect, Outgoing
from dialogues.prompts import Prompts

VOICES = {"fr": ("Polly.Lea", "fr-FR"), "en": ("Polly.Joanna", "en-US")}
SPEECH_RATE = "slow"
ANSWER_TIMEOUT = 6  # seconds of silence before the Gather gives up: slow callers first
# A caller who needs slower speech (dialogues/phone_habits.py): the preset one step slower
# than the line's own "slow" (a percentage such as 85% may be faster than that preset), more
# time before an answer, and a pause of 3 s (not Twilio's "auto") before the speech is over.
SLOW_SPEECH_RATE = "x-slow"
SLOW_ANSWER_TIMEOUT = 10
SLOW_SPEECH_TIMEOUT = "3"
RING_TIMEOUT = 30  # seconds a transfer rings before giving up
MAX_HINT = 100  # Twilio: each speech hint is at most 100 characters
# A phone menu reads at most four keypad options: more than an elderly caller keeps in mind
# (tests/voice/test_voice_menus.py walks every menu of the line against it). A rating scale
# (1 to 5) is not a menu: it is said in one sentence, "Tapez un chiffre de 1 à 5".
MAX_KEYPAD_OPTIONS = 4


@dataclass(frozen=True)
class CallUrls:
    """Absolute URLs (under PUBLIC_URL) that Twilio requests next."""

    answer: str  # the caller's answer to this turn's question
    idle: str  # an answer to "anything else?" (silence there ends the call)
    dialed: str  # a transfer that ended (DialCallStatus)


@dataclass(frozen=True)
class Transfers:
    """Where a hand-off goes: the dispatcher, or the other party of a job."""

    dispatcher: str | None
    hotline: str | None  # caller id of masked calls
    phone_of: Callable[[int], str | None]  # person id -> E.164 number


def render_call(
    replies: Sequence[Outgoing],
    language: str,
    *,
    urls: CallUrls,
    transfers: Transfers,
    silent: bool = False,
    pace: str = "normal",
    keypad_first: bool = False,
) -> str:
    """The TwiML for one turn. `silent`: a dispatcher has the conversation, so the caller is
    put through to the dispatcher. `pace` and `keypad_first` are what the line learned helps
    this caller (dialogues/phone_learning.py): "slow" is a slower voice with more time to
    answer; keypad first says the keys before "or say it"."""
    response = VoiceResponse()
    p = Prompts(language)
    rate = _rate(pace)
    if silent:
        say(response, p.say("handoff"), language, rate=rate)
        _dial(response, None, language, urls, transfers, rate)
        return str(response)
    question_at = max((i for i, r in enumerate(replies) if r.expect != Expect.nothing), default=-1)
    for index, reply in enumerate(replies):
        if reply.handoff:
            say(response, reply.text, language, rate=rate)
            _dial(response, reply, language, urls, transfers, rate)
            return str(response)
        if reply.end:
            say(response, reply.text, language, rate=rate)
            response.hangup()
            return str(response)
        if index == question_at:
            break
        say(response, reply.text, language, rate=rate)
    if question_at < 0:
        gather = _gather(response, language, urls.idle, keyed=False, labels=[], slow=pace == "slow")
        say(gather, p.say("voice.anything_else"), language, rate=rate)
        response.redirect(urls.idle)
        return str(response)
    question = replies[question_at]
    keyed = [c for c in question.choices if c.key]
    gather = _gather(
        response,
        language,
        urls.answer,
        keyed=bool(keyed) or question.expect in (Expect.choice, Expect.yes_no),
        labels=[c.label for c in question.choices],
        slow=pace == "slow",
    )
    options_read = keypad_options(question)
    asked = question.text
    if keypad_first and options_read:
        # "Dites-le, ou tapez une touche." would put speech first again: the keys say it.
        asked = asked.removesuffix(p.say("voice.say_or_key")).rstrip()
    say(gather, asked, language, rate=rate)
    if keypad_first:
        options = _keys_first(options_read, language, p)
    else:
        options = [
            p.say("voice.choice", label=spoken(c.label, language), digit=_key(c.key or "", p))
            for c in options_read
        ]
    if options:
        say(gather, " ".join(options), language, rate=rate)
    for reply in replies[question_at + 1 :]:
        say(gather, reply.text, language, rate=rate)
    # With actionOnEmptyResult Twilio posts a silence to the action; this covers the rest.
    response.redirect(urls.answer)
    return str(response)


def keypad_options(question: Outgoing) -> list[Choice]:
    """The keyed choices read aloud as "Pour « ... », tapez N" (at most MAX_KEYPAD_OPTIONS
    in every menu of the line). A scale's marks (★ to ★★★★★) are not read one by one."""
    keyed = [c for c in question.choices if c.key]
    if len(keyed) > MAX_KEYPAD_OPTIONS and all(set(c.label.strip()) <= {"★"} for c in keyed):
        return []
    return [c for c in keyed if _worth_reading(c.label)]


def render_goodbye(language: str, key: str = "voice.goodbye", *, pace: str = "normal") -> str:
    response = VoiceResponse()
    say(response, Prompts(language).say(key), language, rate=_rate(pace))
    response.hangup()
    return str(response)


def say(
    parent: VoiceResponse | Gather, text: str, language: str, *, rate: str = SPEECH_RATE
) -> None:
    """One slow, clear sentence group (`rate`: SSML <prosody>, which Polly voices take)."""
    words = spoken(text, language)
    if not words:
        return
    voice, locale = VOICES.get(language, VOICES["fr"])
    parent.say(voice=voice, language=locale).prosody(words, rate=rate)


def _rate(pace: str) -> str:
    return SLOW_SPEECH_RATE if pace == "slow" else SPEECH_RATE


def _keys_first(keyed: list[Choice], language: str, p: Prompts) -> list[str]:
    """Keypad first: "Tapez 1 pour « Oui », 2 pour « Non », ou dites-le." in one sentence."""
    if not keyed:
        return []
    each = [
        p.say("voice.key_for", label=spoken(c.label, language), digit=_key(c.key or "", p))
        for c in keyed
    ]
    return [p.say("voice.keys_first", options=", ".join(each))]


def spoken(text: str, language: str) -> str:
    """Written text as it should be heard: no symbols read out, no emoji, stars as marks."""
    p = Prompts(language)
    text = re.sub(r"★+", lambda m: p.say("voice.stars", count=len(m.group(0))), text)
    text = text.replace("n°", "numéro " if language == "fr" else "number ")
    text = "".join(c for c in text if unicodedata.category(c) not in ("So", "Cs", "Co"))
    text = text.replace("•", " ").replace("\n", " ")
    return re.sub(r"\s+", " ", text).strip()


def _gather(
    response: VoiceResponse,
    language: str,
    action: str,
    *,
    keyed: bool,
    labels: list[str],
    slow: bool = False,
) -> Gather:
    _, locale = VOICES.get(language, VOICES["fr"])
    hints = [Prompts(language).say("voice.hints")]
    hints += [spoken(label, language)[:MAX_HINT] for label in labels if _worth_reading(label)]
    options: dict[str, object] = {}
    if keyed:
        # One key answers at once; "#" and "*" are answers too, not the end of an entry.
        options.update(num_digits=1, finish_on_key="")
    else:
        options.update(finish_on_key="#")  # a number typed in full (an amount), then #
    return response.gather(
        input="dtmf speech",
        action=action,
        method="POST",
        language=locale,
        hints=", ".join(h for h in hints if h),
        # "auto" ends the speech at the first pause, which a slow speaker makes mid-sentence.
        speech_timeout=SLOW_SPEECH_TIMEOUT if slow else "auto",
        timeout=SLOW_ANSWER_TIMEOUT if slow else ANSWER_TIMEOUT,
        action_on_empty_result=True,
        **options,
    )


def _dial(
    response: VoiceResponse,
    reply: Outgoing | None,
    language: str,
    urls: CallUrls,
    transfers: Transfers,
    rate: str = SPEECH_RATE,
) -> None:
    party = next((c.id for c in reply.choices if c.id.startswith(CONNECT)), None) if reply else None
    if party is not None and party[len(CONNECT) :].isdigit() and transfers.hotline:
        number = transfers.phone_of(int(party[len(CONNECT) :]))
        if number:
            dial = response.dial(
                action=f"{urls.dialed}&to=party",
                method="POST",
                caller_id=transfers.hotline,  # neither side learns the other's number
                timeout=RING_TIMEOUT,
            )
            dial.number(number)
            return
    if transfers.dispatcher:
        # The dispatcher sees the caller's own number: they may need to call back.
        dial = response.dial(
            action=f"{urls.dialed}&to=dispatcher", method="POST", timeout=RING_TIMEOUT
        )
        dial.number(transfers.dispatcher)
        return
    say(response, Prompts(language).say("voice.transfer_unavailable"), language, rate=rate)
    response.hangup()


def _key(key: str, p: Prompts) -> str:
    return {"#": p.say("voice.key_hash"), "*": p.say("voice.key_star")}.get(key, key)


def _worth_reading(label: str) -> bool:
    """A label that is only its digit ("3") says nothing more than the question did."""
    return bool(label.strip()) and not label.strip().isdigit()
