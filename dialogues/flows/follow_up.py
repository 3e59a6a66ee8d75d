"""Care after the job: the call we place to a requester once a job is done (diagram:
phone_calls.md). All went well (1) or not (2); if well, a mark from 1 to 5 by keypad. A bad
answer files a report that flags the job for a dispatcher; an unclear one ends with a human;
a call not answered is flagged by `phone_calls` when its status arrives."""

from __future__ import annotations

from typing import Any

from backend.people.models import Person
from backend.requests.models import HelpRequest
from backend.requests.service import flag_for_dispatcher
from backend.trust.service import report
from dialogues import actions
from dialogues.flows.after_job import _stars_in, record_rating
from dialogues.flows.masked_call import first_name
from dialogues.messages import Choice, Expect, Outgoing
from dialogues.turn import Turn
from dialogues.understanding import yes_or_no

NAME = "follow_up"
UNANSWERED = "follow_up_unanswered"  # conversation flag: a dispatcher calls them instead


def flag_unanswered(turn: Turn, request_id: int | None, why: str) -> None:
    turn.flag(UNANSWERED)
    request = turn.session.get(HelpRequest, request_id) if request_id else None
    if request is not None:
        flag_for_dispatcher(turn.session, request, f"suivi après l'aide : {why}")


def end_call(turn: Turn) -> None:
    turn.finish()
    turn.remember(question=None)
    turn.replies.append(Outgoing(text=turn.prompts.say("voice.goodbye"), end=True))


class FollowUpFlow:
    name = NAME

    def start(self, turn: Turn, request_id: int | None = None, **_: Any) -> None:
        request = turn.session.get(HelpRequest, request_id) if request_id else None
        person = turn.person
        if (
            request is None
            or request.helper_id is None
            or person is None
            or request.requester_id != person.id
        ):
            end_call(turn)
            return
        helper = turn.session.get_one(Person, request.helper_id)
        turn.goto(NAME, "went_well")
        turn.set_slots(request_id=request.id, helper=first_name(helper))
        turn.ask_yes_no(
            "follow_up_ask",
            name=first_name(person),
            helper=first_name(helper),
            service=turn.prompts.service(request.service),
        )

    def handle(self, turn: Turn) -> None:
        if turn.step == "stars":
            self.on_stars(turn)
        else:
            self.on_went_well(turn)

    def on_went_well(self, turn: Turn) -> None:
        answer = yes_or_no(turn.incoming, turn.understanding)
        request_id = int(turn.slots["request_id"])
        if answer is None:
            self._missed(turn, request_id)
            return
        turn.understood()
        if answer:
            turn.goto(NAME, "stars")
            turn.ask(
                "follow_up_rate",
                Expect.choice,
                [Choice(f"stars:{n}", str(n), str(n)) for n in range(1, 6)],
                helper=turn.slots.get("helper", ""),
            )
            return
        assert turn.person is not None
        # A report about a job flags that job for a dispatcher (backend.trust).
        report(
            turn.session,
            turn.person.id,
            "other",
            "suivi après l'aide : la personne dit que cela s'est mal passé",
            request_id=request_id,
            now=turn.now,
        )
        turn.flag("problem_reported")
        turn.say("follow_up_sorry")
        end_call(turn)

    def on_stars(self, turn: Turn) -> None:
        stars = _stars_in(turn)
        request_id = int(turn.slots["request_id"])
        if not stars:
            self._missed(turn, request_id)
            return
        turn.understood()
        record_rating(turn, request_id, stars)  # 1-2 stars: a report for a dispatcher
        end_call(turn)

    def _missed(self, turn: Turn, request_id: int) -> None:
        if turn.misunderstood():
            flag_unanswered(turn, request_id, "réponse pas comprise")
            actions.hand_over(turn, "misunderstood_twice")
