"""Masked numbers: a helper or requester with a job under way calls the hotline and is put
through to the other party, neither learning the other's number. Diagram: phone_calls.md.

The conversation only decides; the phone line dials. The reply that puts the caller through
is a hand-off whose one choice names the party: `connect:<person id>` (bots/voice looks up
the number and dials it with the hotline as caller id). Asked first, because a requester
with a helper coming may well be calling about something else (to cancel, say).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from backend.people.models import ContactKind, Person
from backend.requests.models import HelpRequest, RequestStatus
from backend.requests.service import record
from dialogues import actions
from dialogues.job_times import coming_or_under_way
from dialogues.messages import Choice, Outgoing
from dialogues.turn import Turn
from dialogues.understanding import yes_or_no
from dialogues.wording import say_window

NAME = "masked_call"
CONNECT = "connect:"  # the choice id prefix of the party to put the caller through to
UNDER_WAY = (RequestStatus.assigned, RequestStatus.in_progress)


def other_party(turn: Turn) -> tuple[HelpRequest, Person] | None:
    """The caller's job under way or still to come (as requester or helper) and the person on
    the other side, when that person has a phone to ring."""
    person = turn.person
    if person is None:
        return None
    jobs = turn.session.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.status.in_(UNDER_WAY),
            or_(HelpRequest.requester_id == person.id, HelpRequest.helper_id == person.id),
        )
        .order_by(HelpRequest.assigned_at.desc(), HelpRequest.id.desc())
        .limit(5)
    )
    # Not yesterday's job that nobody closed, nor one reported as a no-show: no "aide prévue".
    request = next((j for j in jobs if coming_or_under_way(turn.session, j, turn.now)), None)
    if request is None or request.helper_id is None:
        return None
    other_id = request.helper_id if request.requester_id == person.id else request.requester_id
    other = turn.session.get(Person, other_id)
    if other is None or not other.contact(ContactKind.phone):
        return None
    return request, other


def first_name(person: Person) -> str:
    return person.display_name.split()[0] if person.display_name.strip() else ""


class MaskedCallFlow:
    name = NAME

    def start(
        self,
        turn: Turn,
        request: HelpRequest | None = None,
        other: Person | None = None,
        **_: Any,
    ) -> None:
        if turn.incoming.channel != "voice":
            turn.say("status_none")  # only the phone line can put people through
            return
        if request is None or other is None:
            found = other_party(turn)
            if found is None:
                turn.say("status_none")
                return
            request, other = found
        turn.goto(NAME, "confirm")
        turn.set_slots(request_id=request.id, other_id=other.id)
        turn.ask_yes_no(
            "masked_offer",
            service=turn.prompts.service(request.service),
            when=say_window(request.window_start, request.window_end, turn.now, turn.language),
            other=first_name(other),
        )

    def handle(self, turn: Turn) -> None:
        answer = yes_or_no(turn.incoming, turn.understanding)
        if answer is None:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        slots = turn.slots
        turn.finish()
        turn.understood()
        if not answer:
            from dialogues.router import _menu  # the main menu, as after a greeting

            _menu(turn)
            return
        request = turn.session.get(HelpRequest, int(slots["request_id"]))
        other = turn.session.get(Person, int(slots["other_id"]))
        if request is None or other is None or request.status not in UNDER_WAY:
            turn.say("status_none")
            return
        caller = turn.person
        assert caller is not None
        role = "requester" if request.requester_id == caller.id else "helper"
        record(turn.session, request, "masked_call", actor_id=caller.id, note=f"call from {role}")
        if not turn.config.hotline:
            # No hotline number to show as caller id: the call cannot be masked, so it is not
            # placed; the team calls back and passes the message on instead.
            from dialogues.flows.call_back import on_unreached

            on_unreached(turn, "party", lead="voice.callback_party_unmasked")
            return
        name = first_name(other)
        turn.replies.append(
            Outgoing(
                text=turn.prompts.say("masked_connecting", other=name),
                choices=(Choice(f"{CONNECT}{other.id}", name),),
                handoff=True,
            )
        )
