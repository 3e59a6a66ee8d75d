"""The bot token never reaches a log line, whatever logs the request URLs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from bots.telegram import TelegramSender
from bots.telegram.redact import protect_token
from dialogues.messages import Outgoing
from tests.fakes.telegram_api import TOKEN, FakeTelegram, post_update
from tests.telegram.conftest import JEANNE, SECRET


def test_token_is_in_no_captured_log_line_at_debug(
    caplog: pytest.LogCaptureFixture, fake_telegram: FakeTelegram, webhook_client: TestClient
) -> None:
    from backend.outbox.models import OutboxMessage

    caplog.set_level(logging.DEBUG)
    post_update(webhook_client, fake_telegram.text_update(JEANNE, "bonjour"), secret=SECRET)
    sender = TelegramSender(
        fake_telegram.token, fake_telegram.base_url, lambda k, p, lang: [Outgoing(p["text"])]
    )
    try:
        sender.send(
            OutboxMessage(channel="telegram", address="42", kind="x", payload={"text": "hi"})
        )
    finally:
        sender.close()

    secret_part = TOKEN.split(":", 1)[1]
    assert fake_telegram.calls("sendMessage")
    assert "bot<redacted>/sendMessage" in caplog.text  # httpx's request lines were captured
    assert secret_part not in caplog.text
    assert all(secret_part not in str(r.args) for r in caplog.records)


def test_any_bot_token_in_a_url_is_redacted_even_unregistered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    protect_token("987:registered-but-short")
    other = "https://api.telegram.org/bot555555:AAAbbbCCCdddEEEfffGGGhhhIIIjjjKKK/getMe"
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").info("GET %s", other)
        logging.getLogger("x").info("token 987:registered-but-short leaked")
    assert "AAAbbbCCC" not in caplog.text
    assert "registered-but-short" not in caplog.text


def test_tracebacks_are_redacted_too(caplog: pytest.LogCaptureFixture) -> None:
    protect_token(TOKEN)
    with caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
        except RuntimeError:
            logging.getLogger("x").exception("failed")
    assert TOKEN not in caplog.text
    assert "<redacted>" in caplog.text
