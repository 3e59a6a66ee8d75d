"""Answers that need no follow-up question: status, listings, payments, goodbye, thanks."""

from __future__ import annotations

from backend.listings.service import list_nearby
from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus
from dialogues import actions
from dialogues.job_times import no_show_reported, window_over
from dialogues.messages import Outgoing
from dialogues.turn import Turn
from dialogues.wording import say_window


def describe_request(turn: Turn, request: HelpRequest) -> dict[str, object]:
    p = turn.prompts
    service = p.service(request.service)
    return {
        "id": request.id,
        "service": service,
        "when": say_window(request.window_start, request.window_end, turn.now, turn.language),
    }


def check_status(turn: Turn) -> None:
    requests = actions.active_requests(turn)
    if not requests:
        turn.say("status_none")
        return
    for request in requests[:3]:
        values = describe_request(turn, request)
        helper = turn.session.get(Person, request.helper_id) if request.helper_id else None
        helper_name = helper.display_name.split()[0] if helper else ""
        if request.needs_dispatcher and request.status in (RequestStatus.open, RequestStatus.draft):
            turn.say("status_flagged", **values)
        elif request.status == RequestStatus.assigned and no_show_reported(turn.session, request):
            turn.say("status_no_show", **values)  # not a coming visit: what happens now
        elif request.status == RequestStatus.assigned and window_over(request, turn.now):
            turn.say("status_past", helper=helper_name, **values)
        elif request.status == RequestStatus.assigned:
            turn.say(
                "status_assigned", helper=helper_name, word=request.safety_word or "", **values
            )
        elif request.status == RequestStatus.in_progress:
            turn.say("status_in_progress", helper=helper_name, **values)
        elif request.status == RequestStatus.offered:
            turn.say("status_offered", **values)
        else:
            turn.say("status_open", **values)


def browse_listings(turn: Turn) -> None:
    home = turn.person.primary_address if turn.person else None
    near = (home.lat, home.lon) if home and home.lat is not None and home.lon is not None else None
    hits, _total = list_nearby(turn.session, now=turn.now, near=near, limit=5)
    if not hits:
        turn.say("listings_none")
        return
    lines = [turn.prompts.say("listings_intro")]
    for hit in hits:
        lines.append(f"• {hit.listing.title}")
    turn.replies.append(Outgoing(text="\n".join(lines)))


def payment_question(turn: Turn) -> None:
    turn.say("payment_info", commission=_percent(turn.config.dispatch.commission_bps))


def goodbye(turn: Turn) -> None:
    turn.finish()
    turn.remember(question=None)
    turn.replies.append(Outgoing(text=turn.prompts.say("goodbye"), end=True))


def thank(turn: Turn) -> None:
    turn.say("thanks_reply")


def _percent(bps: int) -> str:
    value = bps / 100
    return f"{value:g}".replace(".", ",")
