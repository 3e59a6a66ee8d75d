"""The configuration objects the composition root hands out, each built from the settings by
one function: the dispatch configuration (policy and commission) that the REST API, the
console and the conversation engine share, and the engine's own."""

from __future__ import annotations

from datetime import timedelta

from backend.dispatch.config import DispatchConfig
from backend.dispatch.policy import DispatchPolicy
from coupdemain.settings import Settings
from dialogues.config import EngineConfig


def dispatch_config(settings: Settings) -> DispatchConfig:
    """How jobs are offered and what a paid job's commission is, from COUPDEMAIN_* settings."""
    return DispatchConfig(
        policy=DispatchPolicy(
            offers_per_round=settings.dispatch_offers_per_round,
            offer_ttl=timedelta(minutes=settings.dispatch_offer_minutes),
            max_rounds=settings.dispatch_max_rounds,
        ),
        commission_bps=settings.commission_bps,
    )


def engine_config(settings: Settings, dispatch: DispatchConfig) -> EngineConfig:
    """The conversation engine's configuration, around the dispatch configuration that the
    process built once (the one its API and console are given too)."""
    return EngineConfig(
        dispatch=dispatch,
        default_language=settings.language,
        hotline=settings.twilio_number,
        transfers=bool(settings.dispatcher_phone),
    )
