"""The fake Bot API behaves as Telegram does where our tests rely on it (driven by PTB's Bot)."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, InvalidToken

from tests.fakes.telegram_api import FakeTelegram
from tests.telegram.conftest import JEANNE


def _bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(token or fake.token, base_url=fake.base_url)


def test_get_updates_honours_offset_and_long_polls(fake_telegram: FakeTelegram) -> None:
    first = fake_telegram.text_update(JEANNE, "un")
    second = fake_telegram.text_update(JEANNE, "deux")

    async def scenario() -> tuple[list[int], list[int], list[int], float]:
        async with _bot(fake_telegram) as bot:
            fake_telegram.queue_update(first)
            fake_telegram.queue_update(second)
            both = [u.update_id for u in await bot.get_updates(timeout=0)]
            again = [u.update_id for u in await bot.get_updates(offset=both[0] + 1, timeout=0)]
            started = time.monotonic()
            empty = [u.update_id for u in await bot.get_updates(offset=both[1] + 1, timeout=1)]
            return both, again, empty, time.monotonic() - started

    both, again, empty, waited = asyncio.run(scenario())
    assert both == [first["update_id"], second["update_id"]]
    assert again == [second["update_id"]]  # the offset confirmed the first
    assert empty == [] and waited >= 0.9  # nothing new: it waited the timeout out
    assert fake_telegram.pending_updates() == []


def test_get_updates_conflicts_with_a_webhook(fake_telegram: FakeTelegram) -> None:
    async def scenario() -> None:
        async with _bot(fake_telegram) as bot:
            await bot.set_webhook("https://example.invalid/telegram/webhook", secret_token="s")
            with pytest.raises(Conflict):
                await bot.get_updates(timeout=0)
            await bot.delete_webhook()
            assert await bot.get_updates(timeout=0) == ()

    asyncio.run(scenario())
    assert fake_telegram.calls("setWebhook")[0].params["secret_token"] == "s"


def test_a_wrong_token_is_refused(fake_telegram: FakeTelegram) -> None:
    async def scenario() -> None:
        async with _bot(fake_telegram, token="1:wrong"):
            pass

    with pytest.raises(InvalidToken):
        asyncio.run(scenario())


def test_edits_apply_and_an_identical_edit_is_refused(fake_telegram: FakeTelegram) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="y")]])

    async def scenario() -> None:
        async with _bot(fake_telegram) as bot:
            sent = await bot.send_message(JEANNE.id, "Question ?", reply_markup=markup)
            assert sent.reply_markup == markup
            await bot.edit_message_text("Question (répondue)", JEANNE.id, sent.message_id)
            with pytest.raises(BadRequest, match="not modified"):
                await bot.edit_message_reply_markup(JEANNE.id, sent.message_id)

    asyncio.run(scenario())
    (message,) = fake_telegram.messages_to(JEANNE.id)
    assert message.text == "Question (répondue)" and message.buttons == []
