"""Settings from the environment (or a `.env` file), all prefixed COUPDEMAIN_.

The only module that reads the environment; everything else receives these values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDERS = {"", "changeme", "change-me", "secret", "xxx", "todo", "test"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUPDEMAIN_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = ""  # default: SQLite under ./var/ (see resolved_database_url)
    var_dir: Path = Path("var")
    public_url: str = "http://127.0.0.1:8000"
    language: Literal["fr", "en"] = "fr"
    log_level: str = "INFO"

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: SecretStr | None = None
    telegram_mode: Literal["webhook", "polling"] = "webhook"

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_number: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    dispatcher_phone: str | None = None

    redis_url: str | None = None  # live console updates across web instances
    # Behind a reverse proxy: its addresses or networks, comma-separated ("10.0.0.5,
    # 10.1.0.0/16"). Only requests from these are believed about the client's address
    # (X-Forwarded-For), which login throttling counts by; empty: the peer's address is.
    trusted_proxies: str = ""
    rasa_url: str | None = None
    nlu_models_dir: Path | None = None
    # The dispatch configuration (coupdemain/configuration.py builds it once from these).
    commission_bps: Annotated[int, Field(ge=0, le=10_000)] = 1000  # 10 % on cash jobs
    dispatch_offers_per_round: Annotated[int, Field(ge=1)] = 3  # helpers asked at once
    dispatch_offer_minutes: Annotated[int, Field(ge=1)] = 10  # how long an offer stays open
    dispatch_max_rounds: Annotated[int, Field(ge=1)] = 3  # rounds before a dispatcher is asked
    # Personal data kept no longer than needed (backend/privacy/retention.py, CNIL practice):
    # conversation transcripts, and phone call data (speech transcripts, calls placed).
    retention_transcript_days: Annotated[int, Field(ge=1)] = 180
    retention_call_days: Annotated[int, Field(ge=1)] = 90
    run_workers: bool = True

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'coupdemain.db'}"

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token and self.telegram_token.get_secret_value())

    @property
    def twilio_enabled(self) -> bool:
        return bool(
            self.twilio_account_sid
            and self.twilio_auth_token
            and self.twilio_auth_token.get_secret_value()
        )

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        for name in ("telegram_token", "telegram_webhook_secret", "twilio_auth_token"):
            value: SecretStr | None = getattr(self, name)
            if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDERS:
                raise ValueError(f"COUPDEMAIN_{name.upper()} is a placeholder; set a real secret")
        if (
            self.telegram_enabled
            and self.telegram_mode == "webhook"
            and not self.telegram_webhook_secret
        ):
            raise ValueError(
                "COUPDEMAIN_TELEGRAM_WEBHOOK_SECRET is required for webhooks in production"
            )
        if not self.database_url:
            raise ValueError("COUPDEMAIN_DATABASE_URL must be set in production")
        return self
