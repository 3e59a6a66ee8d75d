"""Every flow and one-shot answer, by the intent (or menu entry) that starts it."""

from __future__ import annotations

from collections.abc import Callable

from dialogues.flows.after_job import AlertFlow, RateFlow, ReportFlow
from dialogues.flows.base import Flow
from dialogues.flows.become_helper import BecomeHelperFlow
from dialogues.flows.danger_check import DangerCheckFlow
from dialogues.flows.follow_up import FollowUpFlow
from dialogues.flows.manage_request import CancelFlow, ChangeFlow
from dialogues.flows.masked_call import MaskedCallFlow
from dialogues.flows.one_shots import (
    browse_listings,
    check_status,
    goodbye,
    payment_question,
    thank,
)
from dialogues.flows.phone_calls import PhoneNotificationFlow
from dialogues.flows.postcard_code import PostcardCodeFlow
from dialogues.flows.registration import RegistrationFlow
from dialogues.flows.request_help import RequestHelpFlow
from dialogues.turn import Turn

FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (
        RegistrationFlow(),
        RequestHelpFlow(),
        BecomeHelperFlow(),
        CancelFlow(),
        ChangeFlow(),
        RateFlow(),
        ReportFlow(),
        AlertFlow(),
        PostcardCodeFlow(),  # from the menu of a person with a postcard code in the post
        DangerCheckFlow(),  # "are you in danger now?": started by the router's safety step
        # The phone line's (bots/voice): started by `call:` events, never by an intent.
        MaskedCallFlow(),
        FollowUpFlow(),
        PhoneNotificationFlow(),
    )
}

ONE_SHOTS: dict[str, Callable[[Turn], None]] = {
    "check_status": check_status,
    "browse_listings": browse_listings,
    "payment_question": payment_question,
    "goodbye": goodbye,
    "thank": thank,
}
