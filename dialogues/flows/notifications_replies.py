"""Buttons on notifications: a helper accepts or declines an offer, reports a job done; a
requester rates. Each acts at once, whatever the conversation was doing."""

from __future__ import annotations

from backend.dispatch.service import accept_offer, complete_job, decline_offer
from backend.errors import DomainError
from dialogues.flows.after_job import record_rating
from dialogues.turn import Turn


def handle_notification_choice(turn: Turn, choice: str) -> None:
    parts = choice.split(":")
    person = turn.person
    if person is None or len(parts) < 3 or not parts[2].isdigit():
        turn.say("not_understood")
        return
    kind, verb, ident = parts[0], parts[1], int(parts[2])
    try:
        if kind == "offer" and verb == "accept":
            result = accept_offer(turn.session, ident, person.id, turn.now)
            # The winner hears it at once; the address follows as an "assigned_helper" message.
            turn.say_text(result.text(turn.language))
        elif kind == "offer" and verb == "decline":
            decline_offer(turn.session, ident, person.id, turn.now, turn.config.dispatch.policy)
            turn.say("thanks_reply")
        elif kind == "job" and verb == "done":
            bps = turn.config.dispatch.commission_bps
            complete_job(turn.session, ident, person.id, commission_bps=bps)
            turn.say("thanks_reply")
        elif kind == "rate" and verb.isdigit():
            # The rating buttons are rate:<request id>:<stars> (dialogues/notifications.py).
            record_rating(turn, int(verb), ident)
        else:
            turn.say("not_understood")
    except DomainError as exc:
        turn.say_text(exc.message)
