"""Refusals specific to dispatch, each with a code the API and the bots can act on."""

from __future__ import annotations

from backend.errors import Conflict


class AlreadyTaken(Conflict):
    """Another helper (or a dispatcher) was first: nothing is wrong, the job is simply gone."""

    code = "already_taken"


class OfferClosed(Conflict):
    """The offer ran out of time or the request no longer needs help."""

    code = "offer_closed"
