"""'Êtes-vous en danger maintenant ?': asked when a fall or pain is said without a clear now.

Diagram: danger_check.md. Started by the router (dialogues/router.py, step 2) for a reading
of `unsure` (dialogues/danger.py). Yes: the emergency answer and a dispatcher, as for a cry
for help. No: what they were saying goes on: the flow that was interrupted takes up where it
was (a request keeps the service and time the sentence gave), or the sentence starts what it
asks. No answer twice (a silence on the phone, words that are neither): safety first, it is
taken as a yes, and they are told so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dialogues import actions
from dialogues.turn import Turn
from dialogues.understanding import understand, yes_or_no

NAME = "danger_check"
MISSES_BEFORE_YES = 2


class DangerCheckFlow:
    name = NAME

    def start(self, turn: Turn, **_: Any) -> None:
        """Ask, keeping what was going on (flow, step, slots, question) to take it up again."""
        was_asking = turn.flow == NAME
        saved = dict(turn.state.get(NAME) or {}) if was_asking else {}
        if not was_asking:
            saved = {
                "text": turn.incoming.text or "",
                "flow": turn.flow,
                "step": turn.step,
                "slots": turn.slots,
                "question": turn.state.get("question"),
            }
        turn.goto(NAME, "answer")
        turn.remember(**{NAME: {**saved, "misses": 0}})
        turn.ask_yes_no("danger_check")

    def handle(self, turn: Turn) -> None:
        answer = yes_or_no(turn.incoming, turn.understanding)
        understanding = turn.understanding
        if answer is None and understanding is not None:
            # "j'ai mal, venez": no yes or no, but the model hears danger.
            answer = True if understanding.is_intent("emergency", at_least=0.6) else None
        saved = dict(turn.state.get(NAME) or {})
        if answer is True:
            _in_danger(turn)
            return
        if answer is False:
            turn.understood()
            _go_on(turn, saved)
            return
        misses = int(saved.get("misses", 0)) + 1
        if misses >= MISSES_BEFORE_YES:
            turn.say("danger_check_assumed")
            _in_danger(turn)
            return
        turn.remember(**{NAME: {**saved, "misses": misses}})
        on_phone = turn.incoming.channel in actions.VOICE_CHANNELS
        turn.say("voice.not_heard" if on_phone and turn.incoming.silence else "not_understood")
        turn.repeat_question()


def _in_danger(turn: Turn) -> None:
    turn.remember(**{NAME: None})
    actions.emergency(turn)


def _go_on(turn: Turn, saved: dict[str, Any]) -> None:
    """Not in danger: back to what they were saying, with the sentence they said it in."""
    text = str(saved.get("text") or "")
    turn.remember(**{NAME: None})
    turn.say("danger_check_no")
    flow, step = saved.get("flow"), saved.get("step")
    if flow:
        turn.goto(str(flow), str(step or ""))
        turn.remember(slots=saved.get("slots") or {}, question=saved.get("question"))
        _take_up(turn, str(flow), str(step or ""), text)
        return
    turn.finish()
    from dialogues.router import FLOWS, start_from_intent

    understanding = understand(turn.parser, text, now=turn.now, language=turn.language)
    if understanding.intent == "emergency":
        text = ""  # "je suis tombée", and no danger: nothing asked yet, the menu
    if turn.person is None:
        FLOWS["registration"].start(turn, resume={"text": text or None})
        return
    start_from_intent(turn, text or None)


def _take_up(turn: Turn, flow: str, step: str, text: str) -> None:
    """A request goes on with what the sentence adds (a service, a time, the details being
    asked); any other flow asks its question again."""
    from dialogues.flows.request_help import NAME as REQUEST
    from dialogues.flows.request_help import apply_entities, ask_next
    from dialogues.router import FLOWS

    if flow == REQUEST and step == "details" and text:
        turn.incoming = replace(turn.incoming, text=text, choice=None, digits=None, silence=False)
        FLOWS[REQUEST].handle(turn)
        return
    if flow == REQUEST:
        if text:
            apply_entities(
                turn, understand(turn.parser, text, now=turn.now, language=turn.language)
            )
        ask_next(turn)
        return
    turn.repeat_question()
