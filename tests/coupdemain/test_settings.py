from __future__ import annotations

import pytest
from pydantic import ValidationError

from coupdemain.settings import Settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_defaults_give_sqlite_under_var() -> None:
    assert _settings().resolved_database_url == "sqlite:///var/coupdemain.db"


def test_environment_variables_are_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUPDEMAIN_DATABASE_URL", "postgresql+psycopg://db/x")
    monkeypatch.setenv("COUPDEMAIN_TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("COUPDEMAIN_TWILIO_AUTH_TOKEN", "s3cr3t-t0ken")
    settings = _settings()
    assert settings.resolved_database_url == "postgresql+psycopg://db/x"
    assert settings.twilio_enabled and not settings.telegram_enabled


def test_secrets_never_show_in_repr_or_logs() -> None:
    settings = _settings(telegram_token="123456:ABC-very-secret", twilio_auth_token="tw-secret")
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert "very-secret" not in shown and "tw-secret" not in shown


@pytest.mark.parametrize("placeholder", ["changeme", "", "secret"])
def test_production_refuses_placeholder_secrets(placeholder: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        _settings(
            environment="production",
            database_url="postgresql+psycopg://db/x",
            twilio_auth_token=placeholder,
        )


def test_production_requires_an_explicit_database() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        _settings(environment="production")


def test_development_accepts_placeholders() -> None:
    assert _settings(twilio_auth_token="changeme").environment == "development"
