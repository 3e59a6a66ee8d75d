"""The webhook route: who may post, what is refused, and that an update is processed once."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from coupdemain.app import create_app
from tests.fakes.telegram_api import FakeTelegram, post_update
from tests.telegram.conftest import JEANNE, SECRET, EchoEngine, telegram_settings


def test_update_with_the_right_secret_is_answered_with_buttons(
    webhook_client: TestClient, fake_telegram: FakeTelegram
) -> None:
    response = post_update(
        webhook_client, fake_telegram.text_update(JEANNE, "bonjour"), secret=SECRET
    )

    assert response.status_code == 200
    sent = fake_telegram.messages_to(JEANNE.id)
    assert [m.text for m in sent] == ["écho : bonjour", "D'accord ?"]
    assert sent[1].buttons == [[("Oui", "yes"), ("Non", "no")]]


@pytest.mark.parametrize("secret", ["wrong", None, "", SECRET + "x"])
def test_wrong_or_missing_secret_is_403_and_nothing_is_processed(
    webhook_client: TestClient,
    fake_telegram: FakeTelegram,
    echo_engine: EchoEngine,
    secret: str | None,
) -> None:
    response = post_update(
        webhook_client, fake_telegram.text_update(JEANNE, "bonjour"), secret=secret
    )

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert "X-Telegram-Bot-Api-Secret-Token" in response.json()["message"]
    assert echo_engine.incomings == []
    assert fake_telegram.calls("sendMessage") == []


def test_non_ascii_secret_header_is_403_not_a_crash(webhook_client: TestClient) -> None:
    response = webhook_client.post(
        "/telegram/webhook",
        content=b"{}",
        headers={"X-Telegram-Bot-Api-Secret-Token": "sécret".encode()},  # type: ignore[dict-item]
    )
    assert response.status_code == 403


def test_a_retried_update_is_processed_and_answered_once(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    update = fake_telegram.text_update(JEANNE, "bonjour")

    first = post_update(webhook_client, update, secret=SECRET)
    again = post_update(webhook_client, update, secret=SECRET)

    assert first.status_code == again.status_code == 200
    assert len(echo_engine.incomings) == 1
    assert fake_telegram.texts_to(JEANNE.id) == ["écho : bonjour", "D'accord ?"]


def test_malformed_json_is_400_with_a_clear_message(
    webhook_client: TestClient, echo_engine: EchoEngine
) -> None:
    response = webhook_client.post(
        "/telegram/webhook",
        content=b'{"update_id": 1, "message": ',
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert "not JSON" in response.json()["message"]
    assert echo_engine.incomings == []


@pytest.mark.parametrize(
    "body",
    [b"[1, 2]", b'"hello"', b"{}", b'{"update_id": "7"}', b"\xff\xfe garbage"],
)
def test_json_that_is_not_an_update_is_400(webhook_client: TestClient, body: bytes) -> None:
    response = webhook_client.post(
        "/telegram/webhook", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 400
    assert response.json()["error"] in {"not_an_update", "malformed_json"}


def test_an_update_with_the_wrong_shapes_is_400(webhook_client: TestClient) -> None:
    response = post_update(
        webhook_client, {"update_id": 3, "message": {"chat": "nope"}}, secret=SECRET
    )
    assert response.status_code == 400
    assert response.json()["error"] == "not_an_update"


def test_oversized_body_is_413_before_being_read(
    webhook_client: TestClient, echo_engine: EchoEngine
) -> None:
    huge = b'{"update_id": 1, "message": {"text": "' + b"a" * 1_100_000 + b'"}}'
    response = webhook_client.post(
        "/telegram/webhook", content=huge, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert echo_engine.incomings == []


def test_oversized_chunked_body_without_length_is_413(webhook_client: TestClient) -> None:
    def chunks():  # a body without Content-Length, as a streaming client sends it
        for _ in range(20):
            yield b"a" * 100_000

    response = webhook_client.post(
        "/telegram/webhook", content=chunks(), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 413


def test_engine_failure_answers_500_so_telegram_retries_and_the_retry_is_served(
    webhook_client: TestClient,
    fake_telegram: FakeTelegram,
    echo_engine: EchoEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    update = fake_telegram.text_update(JEANNE, "bonjour")
    echo_engine.fail_next = 1

    with caplog.at_level(logging.ERROR):
        failed = post_update(webhook_client, update, secret=SECRET)
    retried = post_update(webhook_client, update, secret=SECRET)

    assert failed.status_code == 500
    assert failed.json()["error"] == "processing_failed"
    assert f"update {update['update_id']} failed" in caplog.text
    assert retried.status_code == 200
    assert fake_telegram.texts_to(JEANNE.id) == ["écho : bonjour", "D'accord ?"]


def test_app_starts_when_telegram_is_unreachable_and_webhook_says_503(
    tmp_path: Path, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    settings = telegram_settings(
        tmp_path, fake_telegram, telegram_api_url="http://127.0.0.1:9/bot"
    )  # port 9 (discard): nothing listens there
    with TestClient(create_app(settings, conversation_engine=echo_engine)) as client:
        assert client.get("/healthz").status_code == 200
        response = post_update(client, fake_telegram.text_update(JEANNE, "bonjour"), secret=SECRET)
    assert response.status_code == 503
    assert response.json()["error"] == "telegram_unavailable"
    assert echo_engine.incomings == []


def test_no_webhook_route_when_telegram_is_off(tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    settings = telegram_settings(tmp_path, fake_telegram, telegram_token=None)
    with TestClient(create_app(settings, conversation_engine=EchoEngine())) as client:
        response = post_update(client, fake_telegram.text_update(JEANNE, "x"), secret=SECRET)
    assert response.status_code == 404


def test_start_registers_the_command_menu(
    webhook_client: TestClient, fake_telegram: FakeTelegram
) -> None:
    commands = fake_telegram.calls("setMyCommands")
    assert {c.params.get("language_code") for c in commands} == {None, "en"}
    assert [c["command"] for c in commands[0].params["commands"]] == ["start", "aide", "help"]


def test_a_public_https_address_registers_the_webhook_with_its_secret(
    tmp_path: Path, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    settings = telegram_settings(tmp_path, fake_telegram, public_url="https://cdm.example/")
    with TestClient(create_app(settings, conversation_engine=echo_engine)):
        pass
    assert fake_telegram.webhook == {
        "url": "https://cdm.example/telegram/webhook",
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query"],
    }


def test_a_development_address_is_not_registered(
    webhook_client: TestClient, fake_telegram: FakeTelegram
) -> None:
    assert fake_telegram.calls("setWebhook") == []


@pytest.mark.parametrize("chat_id", ["abc", "900000101", 1.5, True, None])
def test_a_chat_id_that_is_not_an_integer_is_refused_and_nothing_is_processed(
    webhook_client: TestClient,
    fake_telegram: FakeTelegram,
    echo_engine: EchoEngine,
    chat_id: object,
) -> None:
    update = fake_telegram.text_update(JEANNE, "bonjour")
    update["message"]["chat"]["id"] = chat_id

    response = post_update(webhook_client, update, secret=SECRET)

    assert response.status_code == 400
    assert response.json()["error"] == "not_an_update"
    assert "chat.id must be an integer" in response.json()["message"]
    assert echo_engine.incomings == []
    assert fake_telegram.calls("sendMessage") == []


def test_a_sender_id_that_is_not_an_integer_is_refused(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    update = fake_telegram.text_update(JEANNE, "bonjour")
    update["message"]["from"]["id"] = "jeanne"

    response = post_update(webhook_client, update, secret=SECRET)

    assert response.status_code == 400
    assert "from.id must be an integer" in response.json()["message"]
    assert echo_engine.incomings == []


def test_an_update_nested_too_deep_is_422_with_a_clear_message(
    webhook_client: TestClient, echo_engine: EchoEngine
) -> None:
    deep = b'{"update_id": 7, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = webhook_client.post(
        "/telegram/webhook",
        content=deep,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "too_deep"
    assert "nests deeper than" in response.json()["message"]
    assert echo_engine.incomings == []
