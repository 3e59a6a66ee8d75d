"""The live conversations page over HTTP: what the dispatcher reads, and take over, write,
hand back with what is stored and sent (the browser tests show the live updates)."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.conversations.models import Conversation, ConversationMessage
from backend.conversations.service import TAKEN_OVER_NOTE
from backend.db import utcnow
from backend.outbox.models import OutboxMessage
from backend.people.models import Person
from console.formatting import PARIS
from tests.console.console_helpers import log_in, make_staff
from tests.dialogues.conftest import Chat, chat, make_engine, nlu_parser  # noqa: F401
from tests.factories import make_resident


def rows(html: str) -> list[str]:
    """The live list's rows as text, in order (the call-backs' table above it left out)."""
    table = html[html.index('<table class="list conversations">') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r))).strip()
        for r in body.split("</tr>")[:-1]
    ]


def stored(session: Session, address: str) -> Conversation:
    session.expire_all()
    found = session.scalars(select(Conversation).where(Conversation.address == address)).one()
    session.expunge(found)  # kept as read: touching it must not start a new transaction
    session.rollback()  # on SQLite an open read holds the lock the app needs
    return found


def jeanne_asks_for_a_human(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> tuple[int, str, str]:
    """Jeanne asks for a person on Telegram, Claire logs in: her id, CSRF token, the page."""
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    claire_id = make_staff(session, "claire").id
    chat().say("je voudrais parler à quelqu'un")
    csrf = log_in(client, "claire")
    return claire_id, csrf, f"/console/conversations/{stored(session, '1001').id}"


def test_the_list_puts_who_needs_someone_first_with_the_step_in_words(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    make_resident(session, "Jeanne Martin", telegram_id=1001)
    make_resident(session, "Paul Roche", telegram_id=1002)
    make_staff(session, "claire")
    chat(address="1002", sender_id="1002", sender_name="Paul").say(
        "j'ai besoin d'aide pour mes courses"
    )
    chat().say("je voudrais parler à quelqu'un")
    log_in(client, "claire")

    first, second = rows(client.get("/console/conversations").text)
    assert first.startswith("Jeanne Martin Telegram") and "Demande un humain" in first
    assert second.startswith("Paul Roche Telegram Demande d'aide · date et heure")
    assert "Robot :" in second
    english = rows(client.get("/console/conversations?lang=en").text)
    assert "Asked for a human" in english[0] and "Help request · date and time" in english[1]


def test_take_over_write_and_hand_back_store_and_send(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    claire_id, csrf, here = jeanne_asks_for_a_human(client, session, chat)

    page = client.post(f"{here}/take-over", data={"csrf": csrf})
    assert "Vous avez pris la conversation. Le robot se tait." in page.text
    assert stored(session, "1001").dispatcher_id == claire_id

    page = client.post(f"{here}/messages", data={"csrf": csrf, "text": "Bonjour Jeanne !"})
    assert "Message envoyé." in page.text and "Bonjour Jeanne !" in page.text
    assert "En attente d&#39;envoi (Telegram)" in page.text  # no worker has sent it yet
    sent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dispatcher_message"))
    assert [(m.channel, m.address, m.payload["text"]) for m in sent] == [
        ("telegram", "1001", "Bonjour Jeanne !")
    ]
    session.rollback()
    # The outbox worker gave up (Telegram refused it five times): the dispatcher is told.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.kind == "dispatcher_message")
        .values(status="failed", attempts=5)
    )
    session.commit()
    assert "Échec de l&#39;envoi (Telegram) après 5 essais" in client.get(here).text

    page = client.post(f"{here}/hand-back", data={"csrf": csrf})
    assert "La conversation est rendue au robot." in page.text
    assert stored(session, "1001").handled_by == "bot"


def test_a_refused_message_comes_back_with_its_text_and_sends_nothing(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    make_staff(session, "nadia")
    claire_id, csrf, here = jeanne_asks_for_a_human(client, session, chat)

    # Not taken over yet: refused, the draft kept in the box.
    page = client.post(f"{here}/messages", data={"csrf": csrf, "text": "Un brouillon précieux"})
    assert page.status_code == 409
    assert "take the conversation over" in page.text
    assert 'data-testid="unsent">Un brouillon précieux</blockquote>' in page.text
    client.post(f"{here}/take-over", data={"csrf": csrf})
    too_long = "x" * 4001
    page = client.post(f"{here}/messages", data={"csrf": csrf, "text": too_long})
    assert page.status_code == 422 and f">{too_long}</textarea>" in page.text
    assert 'role="alert" id="write-error"' in page.text
    kinds = session.scalars(select(OutboxMessage.kind)).all()
    session.rollback()
    assert "dispatcher_message" not in kinds

    # Another dispatcher sees who has it and cannot take it.
    other = TestClient(client.app)
    other_csrf = log_in(other, "nadia")
    assert re.search(
        r'data-testid="other-dispatcher">Pris en main par Claire depuis \d{1,2} h \d\d<',
        other.get(here).text,
    )
    page = other.post(f"{here}/take-over", data={"csrf": other_csrf})
    assert "another dispatcher already has this conversation" in page.text
    assert stored(session, "1001").dispatcher_id == claire_id


def test_an_unknown_conversation_is_a_404_page(client: TestClient, session: Session) -> None:
    make_staff(session, "claire")
    log_in(client, "claire")
    page = client.get("/console/conversations/999")
    assert page.status_code == 404 and "Introuvable" in page.text


def text_of(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def a_finished_call(session: Session) -> int:
    """Robert rang the hotline: what the engine stored of his call, raw, as dialogues/store.py
    writes it, and the step it stopped at. Returns the conversation's id."""
    robert = make_resident(session, "Robert Petit", phone="+33612345678")
    conversation = Conversation(
        channel="voice", address="+33612345678", person_id=robert.id, language="fr",
        flow="request_help", step="when", flags=["emergency"], handled_by="bot", state={},
    )  # fmt: skip
    session.add(conversation)
    session.flush()
    offered = {"choices": [{"id": "pay:volunteer", "label": "Bénévole", "key": "1"}]}
    lines = [
        ("in", "person", "[choix] call:start", {}),
        ("out", "bot", "Bonjour Robert. Comment souhaitez-vous payer ?", offered),
        ("in", "person", "[choix] pay:volunteer", {}),
        ("in", "person", "[choix] offer:decline:12", {}),
        ("in", "person", "[choix] mystery_code:deep:3", {}),
        ("in", "person", "[choix] call:ended:completed", {}),
    ]
    for direction, author, text, payload in lines:
        session.add(
            ConversationMessage(
                conversation_id=conversation.id, direction=direction, author=author,
                text=text, payload=payload,
            )
        )  # fmt: skip
    session.commit()
    return conversation.id


def test_a_call_reads_as_words_not_codes_in_french_and_english(
    client: TestClient, session: Session
) -> None:
    conversation_id = a_finished_call(session)
    make_staff(session, "claire")
    log_in(client, "claire")

    page = client.get(f"/console/conversations/{conversation_id}").text
    shown = text_of(page)
    assert "Robot · " in shown and "Bonjour Robert." in shown
    assert "A choisi : bénévole" in shown
    assert "A refusé la proposition (n° 12)" in shown
    assert "A choisi : mystery code deep 3" in shown
    assert "Demande d'aide · Étape : le moment" in shown
    # The call's start and end are separators of the transcript, not the person's words.
    events = re.findall(r'<li class="call-event"[^>]*><span>([^·<]+)·', page)
    assert [e.strip() for e in events] == ["Appel entrant", "Appel terminé"]
    for raw in ("[choix]", "pay:volunteer", "call:ended", "offer:decline", "mystery_code"):
        assert raw not in page
    english = text_of(client.get(f"/console/conversations/{conversation_id}?lang=en").text)
    assert "Chose: volunteer" in english and "Declined the offer (no. 12)" in english
    assert "Help request · Step: when it is needed" in english and "Call ended" in english
    assert "A choisi" not in english and "Appel terminé" not in english

    # The list's last message is the call's end, worded, without 'Personne :' before it.
    (row,) = rows(client.get("/console/conversations?lang=fr").text)
    assert "Appel terminé" in row and "Personne" not in row and "[choix]" not in row
    assert "Demande d'aide · le moment" in row
    # What is stored keeps its raw form (tests of the engine and the hotline rely on it).
    texts = session.scalars(
        select(ConversationMessage.text).where(
            ConversationMessage.conversation_id == conversation_id
        )
    ).all()
    session.rollback()
    assert texts[-1] == "[choix] call:ended:completed" and "[choix] pay:volunteer" in texts


def test_the_flags_line_is_above_the_transcript_scroll_box(
    client: TestClient, session: Session
) -> None:
    conversation_id = a_finished_call(session)
    make_staff(session, "claire")
    log_in(client, "claire")
    page = client.get(f"/console/conversations/{conversation_id}").text
    flags_at = page.index('data-testid="flags"')
    assert 'class="flag flag-emergency">Urgence<' in page[flags_at:]
    assert flags_at < page.index("data-scroll") < page.index('<ol class="transcript"')
    assert page.count("data-scroll") == 1  # only the transcript scrolls, not the state line


def test_the_take_over_names_the_dispatcher_and_since_when_on_both_pages(
    client: TestClient,
    session: Session,
    chat: Callable[..., Chat],  # noqa: F811
) -> None:
    make_staff(session, "nadia")
    claire_id, csrf, here = jeanne_asks_for_a_human(client, session, chat)
    session.execute(
        update(Person).where(Person.id == claire_id).values(display_name="Claire Dupont")
    )
    session.commit()
    client.post(f"{here}/take-over", data={"csrf": csrf})
    # Claire took it at 14:05 today, Paris time.
    today = utcnow().astimezone(PARIS).date()
    at = datetime(today.year, today.month, today.day, 14, 5, tzinfo=PARIS)
    session.execute(
        update(ConversationMessage)
        .where(ConversationMessage.text == TAKEN_OVER_NOTE)
        .values(created_at=at)
    )
    session.commit()

    other = TestClient(client.app)
    log_in(other, "nadia")
    detail = other.get(here).text
    assert 'data-testid="other-dispatcher">Pris en main par Claire D. depuis 14 h 05<' in detail
    assert 'data-testid="held-by">Pris en main par Claire D. depuis 14 h 05<' in detail
    assert "Taken over by Claire D. since 14:05" in other.get(f"{here}?lang=en").text
    (row,) = rows(other.get("/console/conversations?lang=fr").text)
    assert row.startswith("Jeanne Martin Telegram Pris en main par Claire D. depuis 14 h 05")
    # Her own page says it too, in the state line above the transcript.
    assert "Pris en main par Claire D. depuis 14 h 05" in client.get(f"{here}?lang=fr").text
    # The day before, the day is said.
    session.execute(
        update(ConversationMessage)
        .where(ConversationMessage.text == TAKEN_OVER_NOTE)
        .values(created_at=at - timedelta(days=1))
    )
    session.commit()
    assert re.search(
        r"Pris en main par Claire D\. depuis \w+\. \d+ \w+\.? 14 h 05", other.get(here).text
    )


def test_the_site_root_leads_to_the_console_and_its_login(
    client: TestClient, session: Session
) -> None:
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/console"
    landed = client.get("/")
    assert landed.status_code == 200 and 'action="/console/login' in landed.text
    make_staff(session, "claire")
    log_in(client, "claire")
    assert "Conversations en cours" in client.get("/").text
