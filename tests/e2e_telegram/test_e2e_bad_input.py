"""Garbage, oversized and unreadable messages: a clear answer, nothing lost, never a 500."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation
from tests.e2e_telegram.conftest import SECRET, Bot, new_user, texts
from tests.factories import make_resident

NOT_UNDERSTOOD = "Pardon, je n'ai pas compris."
MENU = "Que puis-je faire pour vous ?"
STICKER = {
    "file_id": "CAACAgIAAxkBAAEB",
    "file_unique_id": "AgADsw4AAlfC",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "emoji": "👍",
}


def test_garbage_oversized_and_empty_messages_get_a_clear_answer(
    bot: Bot, session: Session
) -> None:
    jeanne = new_user("Jeanne")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id)
    session.commit()
    session.close()

    # Binary-ish text: control characters, a NUL, unpaired replacement characters.
    garbage = "\x00\x01\x02\ufffd\ufffe" * 50 + "%PDF-1.4 \x7f\x80\x1b[31m"
    replies = bot.say(jeanne, garbage)
    assert texts(replies) == [NOT_UNDERSTOOD, MENU]
    assert replies[-1].buttons  # the menu, to go on with a press

    # A sticker, or a message of spaces: nothing to read, still an answer.
    sticker = bot.turn(jeanne, bot.fake.message_update(jeanne, sticker=STICKER))
    assert texts(sticker) == ["Bonjour Jeanne ! Ici Coup de main.", MENU]
    assert texts(bot.say(jeanne, "   ")) == [NOT_UNDERSTOOD, MENU]

    # 10,000 characters: a request with a pasted shopping list. The beginning is understood.
    huge = "bonjour j'ai besoin de quelqu'un pour mes courses demain matin, voici la liste : "
    huge += "lait, pain, pommes, " * ((10_000 - len(huge)) // 20 + 1)
    huge = huge[:10_000]
    notice, question = bot.say(jeanne, huge)
    assert notice.text == "Votre message est très long ; j'en ai lu le début."
    assert question.text.startswith("C'est à votre adresse, ")

    # Nothing lost: every message has its line in the transcript, cleaned and bounded.
    said = [m.text for m in bot.transcript(jeanne) if m.direction == "in"]
    assert len(said) == 4
    assert "\x00" not in said[0] and "%PDF-1.4" in said[0]
    assert said[1] == "[vide]"
    assert said[3].startswith(huge[:200]) and 1_000 <= len(said[3]) <= 10_000
    assert bot.conversation(jeanne).handled_by == "bot"


def test_what_is_not_an_update_is_refused_and_changes_nothing(bot: Bot) -> None:
    jeanne = new_user("Jeanne")
    update = bot.fake.text_update(jeanne, "bonjour")
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    post = bot.client.post

    forged = {**headers, "X-Telegram-Bot-Api-Secret-Token": "guess"}
    assert post("/telegram/webhook", content=json.dumps(update), headers=forged).status_code == 403
    assert (
        post("/telegram/webhook", content=b"\x89PNG\r\n\x1a\n", headers=headers).status_code == 400
    )
    assert post("/telegram/webhook", content=b'{"message": {}}', headers=headers).status_code == 400
    too_big = json.dumps({**update, "padding": "x" * 1_100_000})
    assert post("/telegram/webhook", content=too_big, headers=headers).status_code == 413

    assert bot.reads(jeanne) == []
    assert bot.one(select(func.count()).select_from(Conversation)) == 0
    # The same update, sent properly, is then answered as a first message.
    assert bot.post(update).status_code == 200
    assert bot.reads(jeanne)[0].text == "Bonjour ! Ici Coup de main, l'entraide entre voisins."
