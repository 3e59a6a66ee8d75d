"""Ledger refusals, as kinds of the shared domain errors (the API maps them by status)."""

from __future__ import annotations

from backend.errors import Conflict


class InsufficientFunds(Conflict):
    """The debit would take a guarded account below zero (counting its pending holds)."""

    code = "insufficient_funds"
