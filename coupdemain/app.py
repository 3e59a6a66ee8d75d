"""The composition root: settings -> engine -> FastAPI app with routers and workers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from backend.api import api_router, install_error_handlers
from backend.auth.deps import parse_networks
from backend.auth.throttle import LoginThrottle
from backend.db import make_engine, make_session_factory
from bots.telegram import TelegramChannel
from bots.voice import TwilioConfig, VoiceChannel
from console import Nudges, mount_console
from console.app import DEFAULT_REFRESH_SECONDS
from coupdemain.configuration import dispatch_config, engine_config
from coupdemain.live_updates import ChangeFeed
from coupdemain.nlu_parser import build_parser
from coupdemain.settings import Settings
from coupdemain.workers import Workers, build_workers, job_handlers, retention_policy, senders
from dialogues.engine import Engine
from dialogues.notifications import render_notification
from dialogues.protocols import ConversationEngine

log = logging.getLogger("coupdemain")
REFRESH_WITH_REDIS = 5.0


def voice_channel(
    settings: Settings,
    conversation_engine: ConversationEngine | None,
    factory: sessionmaker[Session],
) -> VoiceChannel | None:
    """The hotline's webhooks and outbox senders (Twilio); None when off, said why."""
    if not settings.twilio_enabled or settings.twilio_auth_token is None:
        return None
    if conversation_engine is None:
        log.warning("Twilio webhooks are off: no conversation engine")
        return None
    return VoiceChannel(
        TwilioConfig(
            account_sid=settings.twilio_account_sid or "",
            auth_token=settings.twilio_auth_token.get_secret_value(),
            public_url=settings.public_url,
            number=settings.twilio_number,
            api_url=settings.twilio_api_url,
            dispatcher_phone=settings.dispatcher_phone,
            default_language=settings.language,
            # SQLite has one writer at a time: turns queue in order here instead of polling
            # its lock (bots/voice/webhook.py).
            concurrent_turns=1 if settings.resolved_database_url.startswith("sqlite") else None,
        ),
        engine=conversation_engine,
        session_factory=factory,
        renderer=render_notification,
    )


def callbacks_blocked(settings: Settings, voice: VoiceChannel | None) -> str | None:
    """Why the console's "Rappeler" cannot ring a person (it places a call through Twilio
    from TWILIO_NUMBER and, picked up, puts it through to DISPATCHER_PHONE); None if it can."""
    if voice is None or not settings.twilio_number:
        return "no_twilio"
    if not settings.dispatcher_phone:
        return "no_dispatcher_phone"
    return None


def telegram_channel(
    settings: Settings, conversation_engine: ConversationEngine | None
) -> TelegramChannel | None:
    """Telegram updates in (webhook, or polling for development); None when off, said why."""
    if not settings.telegram_enabled or settings.telegram_token is None:
        return None
    if conversation_engine is None:
        log.warning("Telegram updates are off: no conversation engine")
        return None
    secret = settings.telegram_webhook_secret
    public = settings.public_url.rstrip("/")
    return TelegramChannel(
        settings.telegram_token.get_secret_value(),
        settings.telegram_api_url,
        engine=conversation_engine,
        mode=settings.telegram_mode,
        secret=secret.get_secret_value() if secret else None,
        # Telegram calls only public HTTPS addresses: a development URL is not registered.
        webhook_url=f"{public}/telegram/webhook" if public.startswith("https://") else None,
    )


def create_app(
    settings: Settings | None = None, *, conversation_engine: ConversationEngine | None = None
) -> FastAPI:
    settings = settings or Settings()
    if settings.resolved_database_url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    factory = make_session_factory(engine)
    dispatch = dispatch_config(settings)  # once: the API, the console, the engine, the timers
    if conversation_engine is None:
        conversation_engine = Engine(
            factory, build_parser(settings), engine_config(settings, dispatch)
        )
    telegram = telegram_channel(settings, conversation_engine)
    voice = voice_channel(settings, conversation_engine, factory)
    feed = ChangeFeed(settings.resolved_database_url, Nudges(), settings.redis_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        workers = Workers()
        warm_up = getattr(getattr(conversation_engine, "parser", None), "load_in_background", None)
        if warm_up is not None:
            warm_up()  # the first message should not wait for the model to load or train
        feed.start()
        if telegram is not None:
            await telegram.start()
        if settings.run_workers:  # off in web processes beside a `coupdemain worker`
            workers = build_workers(
                factory,
                senders(settings, voice),
                job_handlers(dispatch.policy, retention_policy(settings)),
            )
            workers.start()
        try:
            yield
        finally:
            workers.stop()
            if telegram is not None:
                await telegram.stop()
            feed.stop()
            engine.dispose()

    app = FastAPI(
        title="Coup de main",
        version="0.1.0",
        description="Neighbourhood mutual aid: people, help requests, matching, dispatch, ledger.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.conversation_engine = conversation_engine
    app.state.voice_channel = voice  # the hotline (Twilio), None when off
    app.state.login_throttle = LoginThrottle(factory)  # ThrottlePolicy's defaults
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    app.state.dispatch_config = dispatch  # read through backend.dispatch.deps
    install_error_handlers(app)
    app.include_router(api_router())
    mount_console(
        app,
        secure_cookies=settings.public_url.startswith("https://"),
        nudges=feed.nudges,
        # Nudged through Redis, pages need the periodic look only as a safety net.
        refresh_seconds=REFRESH_WITH_REDIS if settings.redis_url else DEFAULT_REFRESH_SECONDS,
        callbacks_blocked=callbacks_blocked(settings, voice),
    )
    if telegram is not None and telegram.mode == "webhook":
        app.include_router(telegram.router)
    if voice is not None:
        app.include_router(voice.router)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app


def create_app_from_env() -> FastAPI:
    """The app for `uvicorn --factory` (`coupdemain serve --web-processes N`): each process
    builds it from the environment, which serve filled in with the settings it chose."""
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request lines carry tokens
    return create_app(settings)
