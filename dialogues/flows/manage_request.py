"""Cancelling or changing a request already made. Diagram: manage_request.md."""

from __future__ import annotations

from typing import Any

from backend.dispatch.service import cancel_request
from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus
from dialogues import actions
from dialogues.flows.one_shots import describe_request
from dialogues.flows.request_help import apply_entities, readback_values
from dialogues.messages import Expect
from dialogues.notify import notify_person
from dialogues.turn import Turn
from dialogues.understanding import Understanding, yes_or_no


def _pick(turn: Turn) -> HelpRequest | None:
    requests = actions.active_requests(turn)
    return requests[0] if requests else None


class CancelFlow:
    name = "cancel_request"

    def start(self, turn: Turn, **_: Any) -> None:
        request = _pick(turn)
        if request is None:
            turn.say("nothing_to_cancel")
            return
        turn.goto(self.name, "confirm")
        turn.set_slots(request_id=request.id)
        turn.ask_yes_no("cancel_confirm", **describe_request(turn, request))

    def handle(self, turn: Turn) -> None:
        answer = yes_or_no(turn.incoming, turn.understanding)
        if answer is None:
            if turn.misunderstood():
                actions.hand_over(turn, "misunderstood_twice")
            return
        request_id = int(turn.slots["request_id"])
        turn.finish()
        turn.understood()
        if not answer:
            turn.say("cancel_kept")
            return
        assert turn.person is not None
        cancel_request(
            turn.session, request_id, turn.person.id, reason="cancelled by the requester"
        )
        turn.say("cancelled", id=request_id)


class ChangeFlow:
    """ "Plutôt jeudi", "à quinze heures", "changer l'adresse": what is said is applied."""

    name = "change_request"

    def start(self, turn: Turn, understanding: Understanding | None = None, **_: Any) -> None:
        request = _pick(turn)
        if request is None:
            turn.say("change_none")
            return
        turn.goto(self.name, "what")
        turn.set_slots(request_id=request.id, **_slots_of(request))
        if understanding is not None and apply_entities(turn, understanding):
            self._apply(turn)
            return
        turn.ask("change_ask", Expect.text, id=request.id)

    def handle(self, turn: Turn) -> None:
        understanding = turn.understanding
        if understanding is not None and apply_entities(turn, understanding):
            self._apply(turn)
            return
        if turn.misunderstood():
            actions.hand_over(turn, "misunderstood_twice")

    def _apply(self, turn: Turn) -> None:
        from datetime import datetime

        slots = turn.slots
        request = turn.session.get_one(HelpRequest, int(slots["request_id"]))
        if slots.get("window"):
            request.window_start = datetime.fromisoformat(slots["window"][0])
            request.window_end = datetime.fromisoformat(slots["window"][1])
        place = slots.get("place")
        if isinstance(place, dict) and place.get("lat") is not None:
            request.place_text, request.lat, request.lon = (
                place.get("text", ""),
                place["lat"],
                place["lon"],
            )
        if slots.get("service"):
            request.service = slots["service"]
        if slots.get("price_cents"):
            request.price_cents = slots["price_cents"]
        values = readback_values(turn)
        summary = f"{values['service']}, {values['when']}, {values['place']}."
        from backend.requests.service import record

        record(
            turn.session,
            request,
            "change",
            actor_id=turn.person.id if turn.person else None,
            note=summary,
        )
        turn.finish()
        turn.understood()
        turn.say("changed", summary=summary)
        if request.helper_id and request.status in (
            RequestStatus.assigned,
            RequestStatus.in_progress,
        ):
            helper = turn.session.get_one(Person, request.helper_id)
            notify_person(
                turn.session,
                helper,
                "changed_helper",
                {"id": request.id, "summary": summary},
                dedupe_key=None,
            )
            turn.say("change_assigned_note", helper=helper.display_name.split()[0])


def _slots_of(request: HelpRequest) -> dict[str, Any]:
    window = (
        [request.window_start.isoformat(), request.window_end.isoformat()]
        if request.window_start and request.window_end
        else None
    )
    return {
        "service": request.service,
        "window": window,
        "time_given": True,
        "place": {"text": request.place_text, "lat": request.lat, "lon": request.lon},
        "pay": request.pay_mode,
        "price_cents": request.price_cents,
        "details": request.details,
    }
