"""Polling mode: the app's lifespan runs PTB's Updater against the fake's getUpdates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from coupdemain.app import create_app
from tests.fakes.telegram_api import FakeTelegram, post_update
from tests.telegram.conftest import JEANNE, PAUL, SECRET, EchoEngine, telegram_settings


@pytest.fixture
def polling_client(
    tmp_path: Path, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> Iterator[TestClient]:
    settings = telegram_settings(tmp_path, fake_telegram, telegram_mode="polling")
    with TestClient(create_app(settings, conversation_engine=echo_engine)) as client:
        yield client


def test_an_update_queued_in_get_updates_is_answered(
    polling_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    fake_telegram.queue_update(fake_telegram.text_update(JEANNE, "bonjour"))

    fake_telegram.wait_for(lambda: len(fake_telegram.texts_to(JEANNE.id)) == 2)

    assert fake_telegram.texts_to(JEANNE.id) == ["écho : bonjour", "D'accord ?"]
    assert echo_engine.incomings[0].external_id is not None


def test_polling_removes_the_webhook_first_and_confirms_what_it_got(
    polling_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    fake_telegram.queue_update(fake_telegram.text_update(JEANNE, "un"))
    fake_telegram.queue_update(fake_telegram.text_update(PAUL, "two"))
    fake_telegram.wait_for(lambda: len(echo_engine.incomings) == 2)
    # The next poll carries an offset past both: they are confirmed, never delivered again.
    fake_telegram.wait_for(lambda: fake_telegram.pending_updates() == [])

    assert fake_telegram.calls("deleteWebhook")
    assert [i.text for i in echo_engine.incomings] == ["un", "two"]


def test_no_webhook_route_in_polling_mode(
    polling_client: TestClient, fake_telegram: FakeTelegram
) -> None:
    update = fake_telegram.text_update(JEANNE, "x")
    assert post_update(polling_client, update, secret=SECRET).status_code == 404
