"""Rendering replies as Telegram messages: pure functions, no network."""

from __future__ import annotations

import logging

import pytest
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bots.telegram.render import merge_statements, render, split_text
from bots.telegram.updates import normalise_command
from dialogues.messages import Choice, Expect, Outgoing


def _labels(markup: object) -> list[list[str]]:
    assert isinstance(markup, InlineKeyboardMarkup)
    return [[b.text for b in row] for row in markup.inline_keyboard]


def test_short_labels_share_a_row_long_ones_get_their_own() -> None:
    short = Outgoing("?", choices=tuple(Choice(str(i), f"{i}h") for i in range(5)))
    long = Outgoing(
        "?", choices=(Choice("a", "Demander de l'aide"), Choice("b", "Voir mes demandes en cours"))
    )

    assert _labels(render([short])[0].reply_markup) == [["0h", "1h", "2h"], ["3h", "4h"]]
    assert _labels(render([long])[0].reply_markup) == [
        ["Demander de l'aide"],
        ["Voir mes demandes en cours"],
    ]


def test_callback_data_is_the_choice_id() -> None:
    (message,) = render([Outgoing("?", choices=(Choice("offer:12:accept", "Accepter"),))])
    assert isinstance(message.reply_markup, InlineKeyboardMarkup)
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "offer:12:accept"


def test_a_choice_id_over_64_bytes_degrades_to_numbered_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reply = Outgoing(
        "Choisissez :", choices=(Choice("x" * 65, "Oui", "1"), Choice("n", "Non", "2"))
    )
    with caplog.at_level(logging.ERROR):
        (message,) = render([reply])
    assert message.text == "Choisissez :\n\n1. Oui\n2. Non"
    assert not isinstance(message.reply_markup, InlineKeyboardMarkup)
    assert "64 bytes" in caplog.text


def test_contact_request_is_a_one_time_reply_keyboard_with_other_choices_as_text_buttons() -> None:
    reply = Outgoing(
        "Votre numéro ?", choices=(Choice("skip", "Plus tard"),), expect=Expect.contact
    )
    (message,) = render([reply], "fr")
    markup = message.reply_markup
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.one_time_keyboard is True
    assert markup.keyboard[0][0].request_contact is True
    assert markup.keyboard[1][0].text == "Plus tard"


def test_keyboard_is_removed_once_per_turn_and_only_when_no_reply_asks_for_one() -> None:
    moved_on = render([Outgoing("Merci."), Outgoing("Autre chose ?")])
    assert isinstance(moved_on[0].reply_markup, ReplyKeyboardRemove)
    assert moved_on[1].reply_markup is None

    still_asking = render([Outgoing("Merci."), Outgoing("Votre adresse ?", expect=Expect.location)])
    assert still_asking[0].reply_markup is None
    assert isinstance(still_asking[1].reply_markup, ReplyKeyboardMarkup)

    for_the_outbox = render([Outgoing("Rappel : demain 10 h")], clear_reply_keyboard=False)
    assert for_the_outbox[0].reply_markup is None


def test_unknown_language_falls_back_to_french_labels() -> None:
    (message,) = render([Outgoing("?", expect=Expect.location)], "de")
    assert isinstance(message.reply_markup, ReplyKeyboardMarkup)
    assert message.reply_markup.keyboard[0][0].text == "📍 Envoyer ma position"


def test_split_prefers_paragraphs_and_counts_emoji_as_two_units() -> None:
    text = "a" * 3000 + "\n\n" + "b" * 3000
    assert split_text(text) == ["a" * 3000, "b" * 3000]

    emoji = "😀" * 3000  # 6000 UTF-16 units, no space to cut at
    pieces = split_text(emoji)
    assert "".join(pieces) == emoji
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in pieces)


def test_empty_text_becomes_an_ellipsis_telegram_accepts() -> None:
    assert split_text("   ") == ["…"]


def test_statements_merge_into_the_last_reply_with_buttons() -> None:
    replies = [Outgoing("Bonjour."), Outgoing("Offre ?", choices=(Choice("a", "Accepter"),))]
    (merged,) = merge_statements(replies)
    assert merged.text == "Bonjour.\n\nOffre ?"
    assert merged.choices == replies[1].choices

    two_questions = [Outgoing("?", choices=(Choice("a", "A"),)), Outgoing("??")]
    assert merge_statements(two_questions) == two_questions


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("/start", "/start"),
        ("/start@CoupDeMainBot", "/start"),
        ("/aide@CoupDeMainBot plombier", "/aide plombier"),
        ("bonjour @paul", "bonjour @paul"),
    ],
)
def test_commands_lose_the_bot_name(typed: str, seen: str) -> None:
    assert normalise_command(typed) == seen
