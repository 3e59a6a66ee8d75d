"""Which flow takes a message: safety first, then the flow in progress, then the intent."""

from __future__ import annotations

from dialogues import actions
from dialogues.danger import Danger, forget_past_times, read_danger
from dialogues.flows.base import Flow
from dialogues.flows.danger_check import NAME as DANGER_CHECK
from dialogues.flows.postcard_code import check_code, code_for_pending_card, has_card_in_the_post
from dialogues.flows.registry import FLOWS, ONE_SHOTS
from dialogues.messages import Choice, Expect
from dialogues.turn import Turn

# Intents that leave a flow in progress when said clearly at a button or yes/no question.
INTERRUPTING = {"check_status", "cancel_request", "goodbye", "report_problem"}
HUMAN_WORDS = (
    "operateur",
    "opérateur",
    "quelqu'un de vrai",
    "une vraie personne",
    "operator",
    "real person",
)


def route(turn: Turn) -> None:
    incoming = turn.incoming
    # 1. Buttons of notifications (offers, job done, ratings) act on their own.
    if (
        incoming.choice
        and ":" in incoming.choice
        and incoming.choice.split(":")[0] in ("offer", "job", "rate")
    ):
        from dialogues.flows.notifications_replies import handle_notification_choice

        handle_notification_choice(turn, incoming.choice)
        return
    # 1b. The phone line's own events: a call starts, is answered, or ends (bots/voice).
    if incoming.choice and incoming.choice.startswith("call:"):
        from dialogues.flows.phone_calls import handle_call_event

        handle_call_event(turn, incoming.choice)
        return
    # 1c. A postcard code: six digits and nothing else, from a person with a card in the post,
    # when no other flow is asking (a phone number, an amount...). Before the keys 0 and 9,
    # which a code may begin with; it cannot be an emergency.
    code = code_for_pending_card(turn)
    if code is not None:
        check_code(turn, code)
        return
    # 2. Safety: danger now is answered at once, whatever was going on; a fall or pain with
    # no clear "now" is asked about first; one that is over or mild is not an emergency.
    understanding = turn.understanding
    # A description of the task ("du pain et mes médicaments") is not a cry for help: there
    # only the emergency words count, the model's guess does not.
    describing_the_task = (turn.flow, turn.step) == ("request_help", "details")
    model_says_emergency = (
        not describing_the_task
        and understanding is not None
        and understanding.is_intent("emergency", at_least=0.6)
    )
    danger = read_danger(incoming.text, understanding, turn.now)
    if danger is Danger.now or (danger is Danger.none and model_says_emergency):
        actions.emergency(turn)
        return
    if turn.flow != DANGER_CHECK and (
        danger is Danger.unsure or (danger is Danger.calm and model_says_emergency)
    ):
        FLOWS[DANGER_CHECK].start(turn)
        return
    if danger is Danger.calm:
        forget_past_times(understanding, turn.now)
    # 3. A human is one word or key away.
    if (
        incoming.choice == "human"
        or _standing_key(incoming.digits) == "0"
        or (understanding is not None and understanding.is_intent("talk_to_human", at_least=0.6))
        or any(w in (incoming.text or "").lower() for w in HUMAN_WORDS)
    ):
        actions.hand_over(turn, "asked_for_human")
        return
    # 4. "Répétez": the last question again.
    if _standing_key(incoming.digits) == "9" or (
        understanding is not None and understanding.is_intent("repeat", at_least=0.6)
    ):
        if turn.state.get("question"):
            turn.repeat_question()
        else:
            _menu(turn)
        return
    # 5. The flow in progress.
    flow = FLOWS.get(turn.flow or "")
    if flow is not None:
        question = turn.state.get("question") or {}
        if (
            understanding is not None
            and question.get("expect") in (Expect.choice, Expect.yes_no)
            and understanding.is_intent(*INTERRUPTING, at_least=0.8)
            and turn.flow != "registration"
        ):
            turn.finish()
            start_from_intent(turn, incoming.text)
            return
        flow.handle(turn)
        return
    # 5b. The phone: a silence at a question outside any flow (the menu) is a miss like a
    # misheard answer (asked again, then the keypad offered, then a human), not a new start.
    if incoming.silence and turn.state.get("question"):
        if turn.misunderstood():
            actions.hand_over(turn, "misunderstood_twice")
        return
    # 6. A stranger registers first; what they asked is resumed afterwards.
    if turn.person is None:
        FLOWS["registration"].start(turn, resume={"text": incoming.text})
        return
    # 7. Menu buttons and free text.
    if incoming.choice and incoming.choice.startswith("menu:"):
        _start(turn, incoming.choice[5:], None)
        return
    start_from_intent(turn, incoming.text)


def start_from_intent(turn: Turn, text: str | None) -> None:
    """Begin what the person's words ask for (after registration, or with no flow going)."""
    understanding = turn.understanding if text == turn.incoming.text else None
    if text and understanding is None:
        from dialogues.understanding import understand

        understanding = understand(turn.parser, text, now=turn.now, language=turn.language)
    intent = understanding.intent if understanding is not None else "greet"
    if understanding is not None and understanding.confidence < 0.3:
        intent = "nlu_fallback"
    _start(turn, intent, understanding)


def _start(turn: Turn, intent: str, understanding: object) -> None:
    flow: Flow | None = FLOWS.get(intent)
    if flow is not None:
        turn.understood()
        flow.start(turn, understanding=understanding)
        return
    one_shot = ONE_SHOTS.get(intent)
    if one_shot is not None:
        turn.understood()
        one_shot(turn)
        return
    if intent in ("greet", "affirm") or turn.incoming.text in (None, "/start"):
        turn.understood()
        if turn.person is not None:
            turn.say("greeting_known", name=turn.person.display_name.split()[0])
        _menu(turn)
        return
    if intent == "out_of_scope":
        turn.say("out_of_scope")
        _menu(turn)
        return
    # nlu_fallback, deny and anything unplaced
    if turn.misunderstood():
        actions.hand_over(turn, "misunderstood_twice")
        return
    if not turn.state.get("question"):
        _menu(turn)


def _standing_key(digits: str | None) -> str:
    """0 (a person) and 9 (again) are keys alone: "90#" keyed at an amount is 90 euros."""
    keyed = (digits or "").rstrip("#")
    return keyed if len(keyed) == 1 else ""


def _menu(turn: Turn) -> None:
    p = turn.prompts
    choices = [
        Choice("menu:request_help", p.say("menu_need_help"), "1"),
        Choice("menu:offer_help", p.say("menu_offer_help"), "2"),
        Choice("menu:check_status", p.say("menu_status"), "3"),
    ]
    if has_card_in_the_post(turn):
        choices.append(Choice("menu:postcard_code", p.say("menu_postcard_code"), "4"))
    if turn.incoming.channel != "voice" or len(choices) < 4:
        # On the phone four keys at most: 0 still puts a person on, as at every question.
        choices.append(Choice("human", p.say("menu_human"), "0"))
    turn.ask("how_can_i_help", Expect.choice, choices)
