"""A dispatcher who finds no danger clears the emergency flag from the conversation page:
the bot answers again and the person is told so through the outbox."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.conversations.models import ConversationMessage
from backend.outbox.models import OutboxMessage
from dialogues.notifications import render_notification
from tests.console.console_helpers import log_in, make_staff
from tests.console.test_console_conversations import stored
from tests.dialogues.conftest import Chat, chat, make_engine, nlu_parser  # noqa: F401
from tests.factories import make_resident

FALL = "je suis tombée je ne peux plus me relever"


def _jeanne_in_an_emergency(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> tuple[Chat, str, str]:
    """Jeanne's cry for help on Telegram, Claire logged in: the chat, CSRF token, the page."""
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    make_staff(session, "claire")
    jeanne = chat()
    assert jeanne.say(FALL)[0].startswith("C'est une urgence")
    csrf = log_in(client, "claire")
    return jeanne, csrf, f"/console/conversations/{stored(session, '1001').id}"


def test_clearing_the_emergency_gives_the_conversation_back_to_the_bot_and_tells_the_person(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    jeanne, csrf, here = _jeanne_in_an_emergency(client, session, chat)
    assert jeanne.say("allô ?") == []  # silent while it waits for a dispatcher
    page = client.get(here).text
    assert "Lever l&#39;alerte urgence" in page and f'action="{here}/clear-emergency"' in page

    # Without the session's CSRF token: refused, nothing changes.
    refused = client.post(f"{here}/clear-emergency", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert "emergency" in stored(session, "1001").flags

    page = client.post(f"{here}/clear-emergency", data={"csrf": csrf}).text
    assert "L&#39;alerte urgence est levée" in page
    assert "Lever l&#39;alerte urgence" not in page  # the button goes with the flag
    conversation = stored(session, "1001")
    assert "emergency" not in conversation.flags and conversation.handled_by == "bot"
    # In the history, with who cleared it.
    note = session.scalars(
        select(ConversationMessage).where(ConversationMessage.author == "system")
    ).one()
    assert note.text == "[alerte urgence levée par Claire]"
    assert note.payload["event"] == "emergency_cleared" and note.payload["dispatcher_id"]
    assert "Alerte urgence levée par Claire." in page  # stored as a code, read as words
    # The person is told, on her channel, through the outbox.
    told = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "emergency_cleared")
    ).one()
    assert (told.channel, told.address) == ("telegram", "1001")
    words = render_notification(told.kind, told.payload, "fr")[0].text
    session.rollback()
    assert words == "Je reprends avec vous : que puis-je faire pour vous ?"

    # The next message gets the bot's answer again.
    replies = jeanne.say("j'ai besoin d'aide pour mes courses")
    assert replies and replies[-1].startswith("Pour quand ?")


def test_in_english_the_button_and_the_person_read_english(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    _, csrf, here = _jeanne_in_an_emergency(client, session, chat)
    assert "Clear the emergency flag" in client.get(f"{here}?lang=en").text
    page = client.post(f"{here}/clear-emergency?lang=en", data={"csrf": csrf}).text
    assert "The emergency flag is cleared" in page
    english = render_notification("emergency_cleared", {}, "en")[0].text
    assert english == "I am back with you: what can I do for you?"


def test_a_dispatcher_who_holds_the_conversation_keeps_it_when_the_flag_is_cleared(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    jeanne, csrf, here = _jeanne_in_an_emergency(client, session, chat)
    client.post(f"{here}/take-over", data={"csrf": csrf})
    client.post(f"{here}/clear-emergency", data={"csrf": csrf})
    conversation = stored(session, "1001")
    assert "emergency" not in conversation.flags and conversation.handled_by == "dispatcher"
    sent = session.scalars(select(OutboxMessage.kind)).all()
    session.rollback()
    assert "emergency_cleared" not in sent  # the dispatcher is the one talking
    assert jeanne.say("merci") == []  # the bot stays silent: the dispatcher has it
