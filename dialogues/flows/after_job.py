"""After a job: a rating, or a report of a problem; and neighbourhood alerts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from backend.errors import DomainError
from backend.listings.models import ListingKind
from backend.listings.schemas import ListingCreate
from backend.listings.service import create_listing
from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus
from backend.trust.service import rate, report
from dialogues import actions
from dialogues.job_times import latest_past_job, says_nobody_came
from dialogues.messages import Choice, Expect
from dialogues.turn import Turn

LOW_RATING = 2


def last_done_request(turn: Turn) -> HelpRequest | None:
    if turn.person is None:
        return None
    return turn.session.scalar(
        select(HelpRequest)
        .where(HelpRequest.requester_id == turn.person.id, HelpRequest.status == RequestStatus.done)
        .order_by(HelpRequest.completed_at.desc())
        .limit(1)
    )


def record_rating(turn: Turn, request_id: int, stars: int) -> None:
    assert turn.person is not None
    try:
        rate(turn.session, request_id, turn.person.id, stars, now=turn.now)
    except DomainError:
        turn.say("rate_nothing")
        return
    if stars <= LOW_RATING:
        report(
            turn.session,
            turn.person.id,
            "other",
            f"note {stars}/5",
            request_id=request_id,
            now=turn.now,
        )
        turn.say("rate_low")
    else:
        turn.say("rate_thanks")


class RateFlow:
    name = "give_feedback"

    def start(self, turn: Turn, **_: Any) -> None:
        request = last_done_request(turn)
        if request is None or request.helper_id is None:
            turn.say("rate_nothing")
            return
        helper = turn.session.get_one(Person, request.helper_id)
        stars = _stars_in(turn)
        if stars:
            record_rating(turn, request.id, stars)
            return
        turn.goto(self.name, "stars")
        turn.set_slots(request_id=request.id)
        turn.ask(
            "rate_ask",
            Expect.choice,
            [Choice(f"stars:{n}", "★" * n, str(n)) for n in range(1, 6)],
            helper=helper.display_name.split()[0],
        )

    def handle(self, turn: Turn) -> None:
        stars = _stars_in(turn)
        if not stars:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        request_id = int(turn.slots["request_id"])
        turn.finish()
        turn.understood()
        record_rating(turn, request_id, stars)


def _stars_in(turn: Turn) -> int | None:
    incoming = turn.incoming
    if incoming.choice and incoming.choice.startswith("stars:"):
        return int(incoming.choice[6:])
    text = (incoming.digits or "") + " " + (incoming.text or "")
    words = {
        "un": 1,
        "une": 1,
        "deux": 2,
        "trois": 3,
        "quatre": 4,
        "cinq": 5,
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
    }
    for token in text.lower().replace("/", " ").split():
        if token.isdigit() and 1 <= int(token) <= 5:
            return int(token)
        if token in words:
            return words[token]
    return None


class ReportFlow:
    name = "report_problem"

    def start(self, turn: Turn, **_: Any) -> None:
        if turn.person is not None and self._no_show_job(turn) is not None:
            self._record(turn, (turn.incoming.text or "").strip())  # said already: no question
            return
        turn.goto(self.name, "what")
        turn.ask("report_ask", Expect.text)

    def handle(self, turn: Turn) -> None:
        text = (turn.incoming.text or "").strip()
        if not text:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        self._record(turn, text)

    @staticmethod
    def _no_show_job(turn: Turn) -> HelpRequest | None:
        """ "Personne n'est venu": the job whose time has passed with a helper assigned."""
        if turn.person is None or not says_nobody_came(turn.incoming.text):
            return None
        return latest_past_job(turn.session, turn.person.id, turn.now)

    def _record(self, turn: Turn, text: str) -> None:
        assert turn.person is not None
        no_show = self._no_show_job(turn)
        request = (
            no_show or last_done_request(turn) or next(iter(actions.active_requests(turn)), None)
        )
        report(
            turn.session,
            turn.person.id,
            "no_show" if no_show is not None else "other",
            text[:2000],
            request_id=request.id if request else None,
            now=turn.now,
        )
        turn.flag("problem_reported")
        turn.finish()
        turn.understood()
        if no_show is not None:
            turn.say("report_no_show_thanks", id=no_show.id)
        else:
            turn.say("report_thanks")


class AlertFlow:
    name = "post_alert"

    def start(self, turn: Turn, **_: Any) -> None:
        turn.goto(self.name, "what")
        turn.ask("alert_ask", Expect.text)

    def handle(self, turn: Turn) -> None:
        text = (turn.incoming.text or "").strip()
        if not text:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        assert turn.person is not None
        create_listing(
            turn.session,
            turn.person.id,
            ListingCreate(kind=ListingKind.alert, title=text[:120], body=text[:4000]),
            now=turn.now,
        )
        turn.finish()
        turn.understood()
        turn.say("alert_posted")
