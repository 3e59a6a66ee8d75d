"""No dead ends: every way the hotline and the bot can fail to help ends in a booking, a
call-back task (a stored row, listed in the console) or a human (a <Dial> to
DISPATCHER_PHONE), and the person is told honestly what happens and when.

One real app with both channels: the hotline over signed Twilio webhooks (twilio's
RequestValidator, bots.voice.simulator) and Telegram over its webhook against the fake Bot
API; the real engine and NLU model; SQLite and PostgreSQL. Each test is run with a dispatcher
line (DISPATCHER_PHONE set) or without one, as it says. The clock is a Sunday, 10 h in Paris:
an ordinary call-back is promised "avant 12 h", an emergency "avant 10 h 45".
"""

from __future__ import annotations

import html as html_lib
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.callbacks.models import CallbackStatus, CallbackTask
from backend.people.models import ContactKind, Person
from bots.voice.simulator import Heard, PhoneCall
from coupdemain.app import senders
from nlu.interface import IntentParser
from tests.console.console_helpers import log_in, make_staff
from tests.e2e_telegram.conftest import unhurried
from tests.factories import make_resident
from tests.fakes.telegram_api import FakeTelegram, TgUser, post_update
from tests.fakes.twilio_api import FakeTwilio
from tests.voice.conftest import (
    DISPATCHER,
    HOTLINE,
    Line,
    hotline_app,
    line_settings,
    sunday_morning_clock,
)
from tests.voice.voice_data import assigned, germaine, karim

TOKEN, SECRET = "123:DEADENDS", "n0-dead-ends"
HANDOFF = "Je vous passe une personne de l'équipe. Restez en ligne, quelqu'un va vous répondre."
EMERGENCY = (
    "C'est une urgence : appelez tout de suite le 15 (SAMU) ou le 112. En cas d'incendie, "
    "le 18. Je préviens aussi l'équipe de Coup de main."
)
SOON = "avant 10 h 45"  # an emergency's call-back: within 30 minutes, on the quarter hour
DANGER_NOW = "au secours je suis tombée je ne peux plus me relever"
# A promise that no task backs: never said again.
EMPTY_PROMISES = ("Nous vous rappelons très vite", "très vite")

DONE = 'class="list callbacks-done-list"'  # the console's list of call-backs done
_chat_ids = itertools.count(880_001)


@dataclass
class Hotline:
    """The running app, as callers, Telegram users and a dispatcher's console see it."""

    line: Line
    telegram: FakeTelegram
    csrf: str  # the logged-in dispatcher's, for the console's buttons
    moved: list[timedelta]  # how far the engine's clock has been moved on (later())
    dispatcher_id: int  # the logged-in dispatcher

    def later(self, **delta: float) -> None:
        """Time passes for the engine (the console keeps the real clock)."""
        self.moved[0] += timedelta(**delta)

    def call(self, person: Person) -> PhoneCall:
        return self.line.call(person.contact(ContactKind.phone) or "")

    def write(self, user: TgUser, text: str) -> list[str]:
        """`user` sends `text` to the bot; what their chat receives in answer."""
        return self._turn(user, self.telegram.text_update(user, text))

    def press(self, user: TgUser, data: str) -> list[str]:
        message = self.telegram.messages_to(user.id)[-1]
        assert data in [d for row in message.buttons for _, d in row], message.buttons
        return self._turn(user, self.telegram.callback_update(user, message, data))

    def _turn(self, user: TgUser, update: dict[str, Any]) -> list[str]:
        before = {m.message_id for m in self.telegram.messages_to(user.id)}
        response = post_update(self.line.client, update, secret=SECRET)
        assert response.status_code == 200, response.text
        return [m.text for m in self.telegram.messages_to(user.id) if m.message_id not in before]

    def tasks(self) -> list[CallbackTask]:
        return self.line.rows(select(CallbackTask).order_by(CallbackTask.id))

    def console(self, section: str = 'class="callbacks"') -> list[str]:
        """The call-back rows of the dispatchers' conversations page, in their order (those
        owed; `DONE` for the list of those done)."""
        page = self.line.client.get("/console/conversations").text
        if section not in page:
            return []
        body = page[page.index(section) :]
        body = body[body.index("<tbody>") : body.index("</tbody>")]
        return [
            html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
            for row in body.split("</tr>")[:-1]
        ]

    def answered(self, how: str) -> tuple[CallbackTask, str]:
        """The one task, done `how` by the logged-in dispatcher, and its row in the console's
        list of those done (none owed any more)."""
        (done,) = self.tasks()
        assert (done.status, done.done_by_id, done.done_how) == (
            CallbackStatus.done,
            self.dispatcher_id,
            how,
        )
        assert self.console() == []
        (row,) = self.console(DONE)
        return done, row

    def console_post(self, path: str, **form: str) -> None:
        """The logged-in dispatcher presses a console button (`path` under /console/)."""
        response = self.line.client.post(f"/console/{path}", data={"csrf": self.csrf, **form})
        assert response.status_code == 200 and "flash-error" not in response.text, response.text


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
def open_hotline(
    engine: DbEngine,
    session_factory: sessionmaker[Session],
    nlu_parser: IntentParser,
    fake: FakeTwilio,
    telegram: FakeTelegram,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., Hotline]]:
    """`open_hotline(dispatcher=True|False, hotline_number=True)`: the app, a dispatcher
    logged in to the console in the same client."""
    monkeypatch.setattr("bots.telegram.application.ChatRateLimiter", lambda **_: unhurried())
    running: list[TestClient] = []

    def start(*, dispatcher: bool, hotline_number: bool = True) -> Hotline:
        sunday, moved = sunday_morning_clock(), [timedelta(0)]

        def clock() -> datetime:
            return sunday() + moved[0]

        settings = line_settings(
            engine,
            tmp_path,
            fake,
            telegram_token=TOKEN,
            telegram_api_url=telegram.base_url,
            telegram_webhook_secret=SECRET,
            telegram_mode="webhook",
        ).model_copy(
            update={
                "dispatcher_phone": DISPATCHER if dispatcher else None,
                "twilio_number": HOTLINE if hotline_number else None,
            }
        )
        app = hotline_app(settings, session_factory, nlu_parser, clock)
        # HTTPS as PUBLIC_URL is, so the console's secure cookies are sent back.
        client = TestClient(app, base_url="https://testserver")
        client.__enter__()
        running.append(client)
        with session_factory() as s:
            dispatcher_id = make_staff(s, f"claire{len(running)}").id
        csrf = log_in(client, f"claire{len(running)}")
        outbox = senders(settings, app.state.voice_channel)
        line = Line(client, fake, session_factory, settings, clock, outbox)
        return Hotline(line, telegram, csrf, moved, dispatcher_id)

    yield start
    for client in running:
        client.__exit__(None, None, None)


def new_user(name: str = "Jeanne") -> TgUser:
    return TgUser(id=next(_chat_ids), first_name=name, language_code="fr")


def promised(heard: Heard | list[str], lead: str, phone_words: str, by: str) -> str:
    """The promise said: `lead`, then who calls back on which number, by when."""
    text = heard.text if isinstance(heard, Heard) else " ".join(heard)
    assert not any(p in text for p in EMPTY_PROMISES), text
    expected = f"{lead} Quelqu'un de l'équipe vous rappellera au {phone_words}"
    assert expected in text, text
    assert f", {by}." in text, text
    return text


def honest(heard: Heard) -> Heard:
    """Whatever the caller hears, never a promise that no task backs."""
    assert not any(p in heard.text for p in EMPTY_PROMISES), heard.text
    return heard


def caller(session: Session) -> Person:
    """Germaine, known on a landline, stored so that the app sees her."""
    person = germaine(session)
    session.commit()
    return person


def rings(hotline: Hotline, person: Person) -> PhoneCall:
    """`person` rings the hotline and is greeted."""
    call = hotline.call(person)
    call.start()
    return call


def missed_transfer(hotline: Hotline, session: Session) -> CallbackTask:
    """Germaine asks for a person and the team's line is busy: the one call-back she is owed."""
    call = rings(hotline, caller(session))
    call.answer(digits="0")
    call.after_dial("busy")
    (task,) = hotline.tasks()
    return task


def picked_up(hotline: Hotline, task: CallbackTask) -> tuple[PhoneCall, Heard]:
    """The call-back a dispatcher asked for is placed and the caller picks up."""
    hotline.line.deliver()
    (placed,) = hotline.line.fake.calls_to(task.phone)
    return hotline.line.pick_up(placed)


def rung_back(hotline: Hotline, task: CallbackTask) -> tuple[PhoneCall, Heard]:
    """The dispatcher presses Rappeler on `task` and the caller picks up."""
    hotline.console_post(f"conversations/callbacks/{task.id}/call")
    return picked_up(hotline, task)


def on_telegram(session: Session, name: str = "Jeanne Martin", phone: str | None = None) -> TgUser:
    """A resident known by her Telegram account (and `phone`, if given)."""
    user = new_user(name.split()[0])
    make_resident(session, name, telegram_id=user.id, phone=phone)
    session.commit()
    return user


def ask_for_a_person(call: PhoneCall, how: str) -> Heard:
    """The ways a caller at the main menu ends up with a person asked for."""
    if how == "key 0":
        return honest(call.answer(digits="0"))
    if how == "words":
        return honest(call.answer(speech="je voudrais parler à quelqu'un s'il vous plaît"))
    if how == "silences":
        honest(call.answer())
        honest(call.answer())
        return honest(call.answer())
    assert how == "misunderstood"
    honest(call.answer(speech="grmbl zzz"))
    honest(call.answer(speech="grmbl zzz"))
    return honest(call.answer(speech="grmbl zzz"))


REASON_OF = {
    "key 0": "asked_for_human",
    "words": "asked_for_human",
    "silences": "misunderstood",
    "misunderstood": "misunderstood",
}
WAYS = list(REASON_OF)


# ---------------------------------------------------------------- the phone, no dispatcher line
@pytest.mark.parametrize("how", WAYS)
def test_without_a_dispatcher_line_asking_for_a_person_is_owed_a_call_back_and_goes_on(
    open_hotline: Callable[..., Hotline], session: Session, how: str
) -> None:
    hotline = open_hotline(dispatcher=False)
    person = caller(session)
    call = hotline.call(person)
    honest(call.start())
    heard = ask_for_a_person(call, how)
    promised(heard, "Personne n'est disponible pour l'instant.", "zéro quatre", "avant 12 h")
    # Nobody to put through: no <Dial>, and not hung up on either.
    assert not heard.dialled and not heard.hung_up
    assert "Voulez-vous autre chose ?" in heard.text and heard.waits_for_answer
    (task,) = hotline.tasks()
    assert (task.person_id, task.phone, task.reason, task.status) == (
        person.id,
        person.contact(ContactKind.phone),
        REASON_OF[how],
        CallbackStatus.open,
    )
    (row,) = hotline.console()
    assert row.startswith(f"Germaine Roux {task.phone}")
    # The call goes on towards a booking: 1 is a request for help.
    heard = honest(call.answer(digits="1"))
    assert heard.waits_for_answer and not heard.hung_up


def test_without_a_dispatcher_line_an_emergency_is_owed_the_first_call_back_and_told_15(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=False)
    paul = make_resident(session, "Paul Roche", phone="+33478009901")
    person = caller(session)
    first = rings(hotline, paul)
    first.answer(digits="0")  # an ordinary call-back, owed earlier
    call = rings(hotline, person)
    heard = call.answer(speech=DANGER_NOW)
    assert heard.said[0] == EMERGENCY
    text = promised(
        heard, "Personne de l'équipe ne peut vous répondre à l'instant.", "zéro quatre", SOON
    )
    assert text.endswith(
        "Si vous êtes en danger, n'attendez pas notre appel : raccrochez et appelez le 15 "
        "ou le 112. Au revoir."
    )
    # Hung up so that they can call 15 at once; no transfer into nowhere.
    assert heard.hung_up and not heard.dialled
    emergency = hotline.line.one(select(CallbackTask).where(CallbackTask.reason == "emergency"))
    assert emergency.person_id == person.id
    rows = hotline.console()
    assert rows[0].startswith(
        f"Germaine Roux {emergency.phone} URGENCE : danger signalé, personne de l'équipe joignable"
    )
    assert rows[1].startswith("Paul Roche")
    # Calling again while the emergency waits for a dispatcher: the same call-back, said again.
    again = hotline.call(person)
    heard = again.start()
    assert not heard.dialled and heard.hung_up
    promised(
        heard,
        "Personne de l'équipe ne peut vous répondre à l'instant. Votre demande de rappel est "
        "déjà notée.",
        "zéro quatre",
        SOON,
    )
    assert "appelez le 15 ou le 112" in heard.text
    # Paul's, and Germaine's one: one open call-back per person, asked twice.
    assert [(t.person_id, t.asked) for t in hotline.tasks()] == [(paul.id, 1), (person.id, 2)]


def test_without_a_hotline_number_the_helper_cannot_be_rung_masked_and_a_call_back_is_owed(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=False, hotline_number=False)
    requester, helper = germaine(session), karim(session)
    assigned(session, requester, helper, hotline.line.clock())
    call = hotline.call(requester)
    assert "Voulez-vous parler à Karim ?" in call.start().text
    heard = honest(call.answer(digits="1"))
    promised(
        heard,
        "Je ne peux pas vous mettre en relation par téléphone pour le moment.",
        "zéro quatre",
        "avant 12 h",
    )
    assert not heard.dialled and heard.waits_for_answer
    (task,) = hotline.tasks()
    assert (task.reason, task.person_id) == ("helper_unreachable", requester.id)
    assert hotline.console()[0].startswith("Germaine Roux")


# ---------------------------------------------------------------- the phone, a dispatcher line
@pytest.mark.parametrize("how", WAYS)
def test_with_a_dispatcher_line_asking_for_a_person_puts_the_caller_through(
    open_hotline: Callable[..., Hotline], session: Session, how: str
) -> None:
    hotline = open_hotline(dispatcher=True)
    person = caller(session)
    call = rings(hotline, person)
    heard = ask_for_a_person(call, how)
    assert heard.dialled == [DISPATCHER] and HANDOFF in heard.text
    # A dispatcher answered and they talked: the call ends with the transfer, nothing owed.
    assert call.after_dial("completed").hung_up
    assert hotline.tasks() == [] and hotline.console() == []


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_a_transfer_nobody_takes_is_owed_a_call_back_and_the_call_goes_on(
    open_hotline: Callable[..., Hotline], session: Session, status: str
) -> None:
    hotline = open_hotline(dispatcher=True)
    person = caller(session)
    call = rings(hotline, person)
    assert call.answer(digits="0").dialled == [DISPATCHER]
    heard = honest(call.after_dial(status))
    promised(
        heard,
        "Personne de l'équipe n'a pu décrocher pour l'instant.",
        "zéro quatre",
        "avant 12 h",
    )
    assert heard.waits_for_answer and not heard.hung_up
    (task,) = hotline.tasks()
    assert (task.reason, task.person_id) == ("transfer_unanswered", person.id)
    assert len(hotline.console()) == 1
    # 3: a polite goodbye.
    assert call.answer(digits="3").said == ["Au revoir, et à bientôt !"]


def test_a_call_back_the_dispatcher_does_not_pick_up_is_the_same_task_told_again(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=True)
    task = missed_transfer(hotline, session)
    # A dispatcher presses Rappeler; she picks up, and the team phone does not answer.
    rung = hotline.line.client.post(
        f"/console/conversations/callbacks/{task.id}/call", data={"csrf": hotline.csrf}
    )
    assert rung.status_code == 200
    callback, heard = picked_up(hotline, task)
    assert heard.dialled == [DISPATCHER]
    heard = honest(callback.after_dial("no-answer"))
    promised(
        heard,
        "Personne de l'équipe n'a pu décrocher pour l'instant.",
        "zéro quatre",
        "avant 12 h",
    )
    assert heard.hung_up and heard.text.endswith("Merci de votre patience. Au revoir.")
    (still,) = hotline.tasks()  # still owed, the one task, rung once
    assert (still.id, still.status, still.calls) == (task.id, CallbackStatus.open, 1)
    assert "appelée 1 fois" in hotline.console()[0]


def test_an_emergency_is_put_through_and_unanswered_is_owed_the_first_call_back(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=True)
    person = caller(session)
    call = rings(hotline, person)
    heard = call.answer(speech=DANGER_NOW)
    assert heard.said[0] == EMERGENCY and heard.dialled == [DISPATCHER]
    heard = call.after_dial("no-answer")
    text = promised(
        heard, "Personne de l'équipe n'a pu décrocher pour l'instant.", "zéro quatre", SOON
    )
    assert "appelez le 15 ou le 112. Au revoir." in text
    assert heard.hung_up
    (task,) = hotline.tasks()
    assert task.reason == "emergency"
    assert "URGENCE" in hotline.console()[0]
    # Still for a dispatcher: the next call is put through again.
    assert hotline.call(person).start().dialled == [DISPATCHER]


def test_a_helper_who_does_not_answer_the_masked_call_is_owed_a_call_back(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=True)
    requester, helper = germaine(session), karim(session)
    assigned(session, requester, helper, hotline.line.clock())
    call = rings(hotline, requester)
    assert call.answer(digits="1").dialled == [helper.contact(ContactKind.phone)]
    heard = honest(call.after_dial("no-answer"))
    promised(heard, "La personne ne répond pas pour le moment.", "zéro quatre", "avant 12 h")
    (task,) = hotline.tasks()
    assert (task.reason, task.person_id) == ("helper_unreachable", requester.id)
    assert hotline.console()[0].startswith("Germaine Roux")


# ---------------------------------------------------------------- Telegram
@pytest.mark.parametrize("how", ["words", "button"])
def test_on_telegram_asking_for_a_person_is_owed_an_answer_in_the_console_and_told_when(
    open_hotline: Callable[..., Hotline], session: Session, how: str
) -> None:
    hotline = open_hotline(dispatcher=False)
    jeanne = on_telegram(session, phone="+33478009902")
    if how == "words":
        said = hotline.write(jeanne, "je veux parler à quelqu'un")
    else:
        hotline.write(jeanne, "bonjour")
        said = hotline.press(jeanne, "human")
    assert said == [
        "Je préviens une personne de l'équipe. Elle vous répondra ici même, avant 12 h."
    ]
    (task,) = hotline.tasks()
    assert (task.reason, task.phone) == ("asked_for_human", "+33478009902")
    (row,) = hotline.console()
    assert "Jeanne Martin" in row and "Sur Telegram, attend une réponse écrite" in row
    assert "Répondre dans la conversation" in row
    # Asking again owes the same answer, not a second task.
    hotline.write(jeanne, "je veux parler à quelqu'un")
    assert len(hotline.tasks()) == 1


def test_on_telegram_misunderstood_twice_is_owed_an_answer(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=True)
    jeanne = on_telegram(session)
    hotline.write(jeanne, "grmbl zzz")
    said = hotline.write(jeanne, "grmbl zzz")
    assert said[-1] == (
        "Je n'arrive pas à bien vous comprendre. Je préviens une personne de l'équipe, elle "
        "vous répondra ici même, avant 12 h."
    )
    (task,) = hotline.tasks()
    assert (task.reason, task.phone) == ("misunderstood", "")  # no number: answered in the chat
    (row,) = hotline.console()
    assert "Répondre dans la conversation" in row and "Rappeler" not in row


def test_on_telegram_an_emergency_is_owed_the_first_answer_and_told_15(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=True)
    jeanne, odette = on_telegram(session), on_telegram(session, "Odette Blanc")
    hotline.write(odette, "je veux parler à quelqu'un")
    assert hotline.write(jeanne, DANGER_NOW) == [
        EMERGENCY,
        "Une personne de l'équipe vous écrira ici même, avant 10 h 45. Si vous êtes en "
        "danger, n'attendez pas : appelez le 15 ou le 112.",
    ]
    rows = hotline.console()
    assert rows[0].startswith("Jeanne Martin — URGENCE") and rows[1].startswith("Odette Blanc")


# ---------------------------------------------------------------- answered: the task is done
def test_on_telegram_a_dispatcher_writing_in_the_conversation_has_answered_its_task(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=False)
    jeanne = on_telegram(session)
    hotline.write(jeanne, "je veux parler à quelqu'un")
    (task,) = hotline.tasks()
    conversation = f"conversations/{task.conversation_id}"
    hotline.console_post(f"{conversation}/take-over")
    assert hotline.tasks()[0].status == CallbackStatus.open  # taking it over answers nobody
    hotline.console_post(f"{conversation}/messages", text="Bonjour Jeanne, je suis là.")
    hotline.line.deliver()
    assert hotline.telegram.messages_to(jeanne.id)[-1].text == "Bonjour Jeanne, je suis là."
    done, row = hotline.answered("chat_reply")
    assert done.done_at is not None
    assert row.startswith("Jeanne Martin A demandé un humain, personne de disponible")
    assert "Claire1 Réponse écrite dans la conversation" in row


def test_a_call_back_picked_up_and_put_through_to_the_team_is_done(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=True)
    task = missed_transfer(hotline, session)
    callback, heard = rung_back(hotline, task)
    assert heard.dialled == [DISPATCHER]
    assert callback.after_dial("completed").hung_up  # the team answered; they talked
    done, row = hotline.answered("call_answered")
    assert done.calls == 1
    assert row.startswith("Germaine Roux Transfert sans réponse")
    assert "Claire1 Rappel décroché, mis en relation avec l'équipe" in row


def test_a_transfer_that_got_through_outside_a_call_back_closes_nothing(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=True)
    paul = make_resident(session, "Paul Roche", phone="+33478009903")
    person = caller(session)
    waiting = rings(hotline, paul)
    waiting.answer(digits="0")
    waiting.after_dial("no-answer")  # Paul is owed a call-back
    call = rings(hotline, person)
    assert call.answer(digits="0").dialled == [DISPATCHER]
    assert call.after_dial("completed").hung_up
    (task,) = hotline.tasks()
    assert (task.person_id, task.status) == (paul.id, CallbackStatus.open)


# ---------------------------------------------------------------- asking again: one task
def test_a_caller_who_phones_again_before_being_called_back_hears_it_is_already_planned(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=False)
    person = caller(session)
    first = rings(hotline, person)
    promised(
        first.answer(digits="0"),
        "Personne n'est disponible pour l'instant.",
        "zéro quatre",
        "avant 12 h",
    )
    first.answer(digits="3")
    first.hang_up()
    hotline.later(minutes=59)  # ~11 h: a new call-back would be promised "avant 13 h"
    again = rings(hotline, person)
    words = "je voudrais parler à quelqu'un s'il vous plaît"
    heard = honest(again.answer(speech=words))
    promised(
        heard,
        "Personne n'est disponible pour l'instant. Votre demande de rappel est déjà notée.",
        "zéro quatre",
        "avant 12 h",  # the first promise, kept
    )
    assert heard.waits_for_answer and not heard.hung_up
    (task,) = hotline.tasks()
    assert (task.asked, task.reason, task.last_words) == (2, "asked_for_human", words)
    (row,) = hotline.console()
    assert row.startswith("Germaine Roux") and "a appelé 2 fois" in row and words in row
    # Asked again within the second call: still the one task, counted once for this call.
    assert again.answer(digits="0").hung_up
    assert [t.asked for t in hotline.tasks()] == [2]


def test_danger_on_a_second_call_makes_the_one_task_an_emergency_due_sooner(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=False)
    person = caller(session)
    first = rings(hotline, person)
    first.answer(digits="0")  # promised "avant 12 h"
    first.hang_up()
    hotline.later(minutes=59)  # ~11 h: an emergency is due within half an hour
    again = rings(hotline, person)
    heard = again.answer(speech=DANGER_NOW)
    assert heard.said[0] == EMERGENCY and heard.hung_up
    promised(
        heard,
        "Personne de l'équipe ne peut vous répondre à l'instant. Votre demande de rappel est "
        "déjà notée.",
        "zéro quatre",
        "avant 11 h 30",  # an emergency's half hour, sooner than the first promise
    )
    (task,) = hotline.tasks()
    assert (task.reason, task.asked, task.last_words) == ("emergency", 2, DANGER_NOW)
    assert hotline.console()[0].startswith("Germaine Roux +33")
    assert "URGENCE" in hotline.console()[0]


def test_an_unknown_number_that_phones_twice_has_one_task(
    open_hotline: Callable[..., Hotline],
) -> None:
    hotline = open_hotline(dispatcher=False)
    for _ in range(2):
        call = hotline.line.call("+33478009944")
        call.start()
        heard = honest(call.answer(digits="0"))
        call.hang_up()
    assert "Votre demande de rappel est déjà notée." in heard.text
    (task,) = hotline.tasks()
    assert (task.person_id, task.phone, task.asked) == (None, "+33478009944", 2)


# ---------------------------------------------------------------- past the promise
def test_on_telegram_writing_again_past_the_promise_is_told_the_team_is_late(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=False)
    jeanne = on_telegram(session)
    hotline.write(jeanne, "je veux parler à quelqu'un")  # "avant 12 h"
    (task,) = hotline.tasks()
    promise = task.due_by
    assert hotline.write(jeanne, "vous êtes là ?") == []  # before the promise: waits silently
    hotline.later(hours=3)
    assert hotline.write(jeanne, "toujours personne ?") == [
        "Nous avons du retard, pardonnez-nous. Votre demande est bien notée : une personne de "
        "l'équipe vous répondra ici même, dès que possible."
    ]
    assert hotline.write(jeanne, "allo") == []  # told once
    (task,) = hotline.tasks()
    assert (task.due_by, task.status, task.asked) == (promise, CallbackStatus.open, 2)


def test_on_telegram_danger_past_the_promise_keeps_it_overdue_and_says_so(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=False)
    jeanne = on_telegram(session)
    hotline.write(jeanne, "je veux parler à quelqu'un")
    (task,) = hotline.tasks()
    promise = task.due_by
    hotline.later(hours=3)  # 13 h: an emergency's half hour would be "avant 13 h 30"
    assert hotline.write(jeanne, DANGER_NOW) == [
        EMERGENCY,
        "Nous avons du retard, pardonnez-nous. Une personne de l'équipe vous écrira ici même, "
        "dès que possible. Si vous êtes en danger, n'attendez pas : appelez le 15 ou le 112.",
    ]
    (task,) = hotline.tasks()
    assert (task.reason, task.due_by) == ("emergency", promise)  # still owed since 12 h


def test_a_call_back_rung_past_its_promise_that_the_team_misses_is_said_late(
    open_hotline: Callable[..., Hotline], session: Session
) -> None:
    hotline = open_hotline(dispatcher=True)
    task = missed_transfer(hotline, session)
    hotline.later(hours=3)
    callback, _ = rung_back(hotline, task)
    heard = honest(callback.after_dial("no-answer"))
    assert (
        "Personne de l'équipe n'a pu décrocher pour l'instant. Nous avons du retard, "
        "pardonnez-nous. Quelqu'un de l'équipe vous rappellera au zéro quatre"
    ) in heard.text
    assert ", dès que possible. Merci de votre patience. Au revoir." in heard.text
    (still,) = hotline.tasks()
    assert (still.due_by, still.status) == (task.due_by, CallbackStatus.open)
