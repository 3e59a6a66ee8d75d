"""Two web instances and two workers, as real processes on one PostgreSQL and one Redis.

Twenty people ask for help at the same time, ten on Telegram and ten on the phone, through a
round-robin balancer (a conversation hops between instances from one turn to the next); one
web instance is stopped and started again in the middle; the offers go out through the outbox,
delivered by both workers; the offered helpers all press Accept at once, through both
instances. Then: every request is stored, each job has one helper, every outbox row was sent
once and every message the fake providers received is one outbox row; and a change made
through instance A shows in the console's live stream opened on instance B.
"""

from __future__ import annotations

import itertools
import signal
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import make_engine, make_session_factory
from backend.dispatch.models import Offer, OfferStatus
from backend.migrations.runner import upgrade
from backend.outbox.models import OutboxMessage, OutboxStatus
from backend.people.models import Role
from backend.people.staff import create_staff
from backend.requests.models import HelpRequest, RequestStatus
from bots.voice.simulator import PhoneCall
from tests.factories import make_helper, make_resident
from tests.fakes.telegram_api import SentMessage, TgUser, post_update
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.system.conftest import (
    HOTLINE,
    TELEGRAM_TOKEN,
    WEBHOOK_SECRET,
    Balancer,
    System,
    eventually,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CONVERSATIONS_PER_CHANNEL = 10
HELPERS = 15
DISPATCHER_LOGIN, DISPATCHER_PASSWORD = "regulation-lyon", "Une-phrase-de-passe-longue-42"
WAIT = 60.0

OPENINGS = [
    "bonjour j'ai besoin de quelqu'un pour mes courses demain matin",
    "il me faudrait quelqu'un pour les courses demain matin",
    "je voudrais de l'aide pour mes courses demain matin",
    "euh j'aurais besoin de quelqu'un pour mes courses demain matin",
]
DETAILS = [
    "du pain et mes médicaments à la pharmacie",
    "des légumes au marché et du lait",
    "mes courses de la semaine au supermarché",
    "un colis à la poste et du pain",
    "des fruits et de l'eau, c'est lourd",
]


@dataclass
class Driver:
    """Telegram and Twilio as the processes see them, through the balancer."""

    system: System
    balancer: Balancer
    turns: Counter[str] = field(default_factory=Counter)
    restarted: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def counted(self, kind: str) -> None:
        with self._lock:
            self.turns[kind] += 1

    # ------------------------------------------------------------ Telegram
    def telegram(self, user: TgUser, update: dict[str, Any]) -> list[SentMessage]:
        """One update; what the web process answered to the chat within the turn."""
        fake = self.system.telegram
        before = fake.web_message_ids(user.id)
        response = post_update(self.balancer, update, secret=WEBHOOK_SECRET)
        assert response.status_code == 200, response.text
        self.counted("telegram")
        new = fake.web_message_ids(user.id) - before
        return [m for m in fake.messages_to(user.id) if m.message_id in new]

    def say(self, user: TgUser, words: str) -> list[SentMessage]:
        return self.telegram(user, self.system.telegram.text_update(user, words))

    def press(self, user: TgUser, message: SentMessage, data: str) -> list[SentMessage]:
        assert data in [d for row in message.buttons for _, d in row], (data, message.buttons)
        return self.telegram(user, self.system.telegram.callback_update(user, message, data))

    # ------------------------------------------------------------ the phone
    def phone_call(self, caller: str) -> PhoneCall:
        def post(path: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
            response = self.balancer.post(path, data=form, headers=headers)
            self.counted("voice")
            return response.status_code, response.text

        return PhoneCall(
            post,
            public_url=self.system.public_url,
            auth_token=AUTH_TOKEN,
            caller=caller,
            hotline=HOTLINE,
            account_sid=ACCOUNT_SID,
        )


def only(messages: list[SentMessage]) -> SentMessage:
    assert len(messages) == 1, [m.text for m in messages]
    return messages[0]


def held(n: int) -> bool:
    """A third of the conversations end only once web A is back."""
    return n % 3 == 0


def telegram_conversation(driver: Driver, user: TgUser, n: int) -> None:
    question = only(driver.say(user, OPENINGS[n % len(OPENINGS)]))
    assert question.text.startswith("C'est à votre adresse"), question.text
    ask = only(driver.say(user, "oui"))
    assert ask.text == "Dites-moi en quelques mots ce qu'il faut faire.", ask.text
    pay = only(driver.say(user, DETAILS[n % len(DETAILS)]))
    readback = only(driver.press(user, pay, "pay:volunteer"))
    assert readback.text.startswith("Je récapitule. Des courses, demain matin"), readback.text
    if held(n):  # the last turn waits for the restart: it may land on the new process
        driver.restarted.wait(WAIT)
    noted = only(driver.say(user, "oui"))
    assert noted.text.startswith("C'est noté ! Je cherche un voisin disponible."), noted.text


def phone_conversation(driver: Driver, number: str, n: int) -> None:
    call = driver.phone_call(number)
    heard = call.start()
    assert heard.status == 200 and heard.said[1] == "Que puis-je faire pour vous ?", heard.xml
    heard = call.answer(speech=OPENINGS[(n + 1) % len(OPENINGS)])
    assert heard.said[0].startswith("C'est à votre adresse"), heard.xml
    heard = call.answer(speech="oui c'est ça")
    assert heard.said[0] == "Dites-moi en quelques mots ce qu'il faut faire.", heard.xml
    heard = call.answer(speech=DETAILS[(n + 2) % len(DETAILS)])
    assert heard.said[0].startswith("Est-ce un coup de main bénévole"), heard.xml
    heard = call.answer(digits="1")
    assert heard.said[0].startswith("Je récapitule. Des courses, demain matin"), heard.xml
    if held(n):
        driver.restarted.wait(WAIT)
    heard = call.answer(speech="oui")
    assert heard.said[0].startswith("C'est noté ! Je cherche un voisin disponible."), heard.xml
    assert call.answer().hung_up  # silence after "anything else?": goodbye
    call.hang_up()


@dataclass
class People:
    requesters_tg: list[TgUser]
    requesters_phone: list[str]
    helpers: dict[int, TgUser]  # person id -> their Telegram
    person_ids: dict[str, int]  # phone number -> person id


def seed(factory: sessionmaker[Session]) -> People:
    ids = itertools.count(930_001)
    tg = [TgUser(next(ids), f"Requérante{n}") for n in range(CONVERSATIONS_PER_CHANNEL)]
    # Half landlines (news by a call), half mobiles (news by SMS).
    phones = [
        f"+334780{n:05d}" if n % 2 else f"+336390{n:05d}"
        for n in range(1, CONVERSATIONS_PER_CHANNEL + 1)
    ]
    helpers: dict[int, TgUser] = {}
    person_ids: dict[str, int] = {}
    with factory() as s, s.begin():
        for n, user in enumerate(tg):
            make_resident(s, f"Jeanne Telegram{n}", telegram_id=user.id, lat=45.7745, lon=4.832)
        for n, number in enumerate(phones):
            caller = make_resident(s, f"Germaine Phone{n}", phone=number, lat=45.7745, lon=4.832)
            person_ids[number] = caller.id
        for n in range(HELPERS):
            user = TgUser(next(ids), f"Aidant{n}")
            helper = make_helper(
                s, f"Aidant{n} Voisin", telegram_id=user.id, lat=45.776 + n / 10_000, lon=4.832
            )
            helpers[helper.id] = user
        create_staff(s, login=DISPATCHER_LOGIN, role=Role.dispatcher, password=DISPATCHER_PASSWORD)
    return People(tg, phones, helpers, person_ids)


def rows(factory: sessionmaker[Session], statement: Any) -> list[Any]:
    with factory() as s:
        found = list(s.scalars(statement))
        s.expunge_all()
        return found


def run_conversations_with_a_restart(
    system: System, driver: Driver, people: People
) -> dict[str, Any]:
    """The twenty conversations at once; web instance A restarted once a third of the turns
    are done, while the others go on."""
    restart: dict[str, Any] = {}
    total_turns = CONVERSATIONS_PER_CHANNEL * (5 + 8)  # Telegram updates + Twilio requests

    def restarter() -> None:
        try:
            eventually(lambda: sum(driver.turns.values()) >= total_turns // 3, "a third done", WAIT)
            restart["turns_before"] = sum(driver.turns.values())
            restart["exit_code"] = system.restart_web(0)
            restart["turns_after"] = sum(driver.turns.values())
            restart["served_by_a"] = driver.balancer.served[0]
            restart["rerouted"] = driver.balancer.rerouted
        finally:
            driver.restarted.set()

    jobs: list[Callable[[], None]] = []
    jobs += [
        partial(telegram_conversation, driver, u, n) for n, u in enumerate(people.requesters_tg)
    ]
    jobs += [
        partial(phone_conversation, driver, p, n) for n, p in enumerate(people.requesters_phone)
    ]
    with ThreadPoolExecutor(len(jobs) + 1) as pool:
        restarting = pool.submit(restarter)
        done = [pool.submit(job) for job in jobs]
        for future in done:
            future.result(timeout=WAIT)
        restarting.result(timeout=WAIT)
    return restart


def offer_message(system: System, user: TgUser, offer_id: int) -> SentMessage | None:
    data = f"offer:accept:{offer_id}"
    for message in system.telegram.messages_to(user.id):
        if any(d == data for row in message.buttons for _, d in row):
            return message
    return None


def press_accepts_at_once(
    system: System, driver: Driver, people: People, factory: sessionmaker[Session]
) -> dict[int, dict[int, str]]:
    """Every offered helper presses Accept; the presses for one job go out together, through
    both instances. Each helper presses one button at a time (so that what the web answered
    is theirs for that press). request id -> helper id -> the answer they read."""
    offers = rows(factory, select(Offer).where(Offer.status == OfferStatus.pending))
    by_request: dict[int, list[Offer]] = {}
    for offer in offers:
        by_request.setdefault(offer.request_id, []).append(offer)
    assert len(by_request) == 2 * CONVERSATIONS_PER_CHANNEL
    assert all(len(o) >= 2 for o in by_request.values()), "several helpers asked per job"
    messages: dict[int, SentMessage] = {}

    def delivered() -> bool:
        for offer in offers:
            if offer.id not in messages:
                found = offer_message(system, people.helpers[offer.helper_id], offer.id)
                if found is None:
                    return False
                messages[offer.id] = found
        return True

    eventually(delivered, "every offer delivered to its helper on Telegram", WAIT)
    answers: dict[int, dict[int, str]] = {r: {} for r in by_request}

    def press(offer: Offer) -> None:
        user = people.helpers[offer.helper_id]
        answer = only(driver.press(user, messages[offer.id], f"offer:accept:{offer.id}"))
        answers[offer.request_id][offer.helper_id] = answer.text

    pending = sorted(by_request.values(), key=lambda o: o[0].request_id)
    with ThreadPoolExecutor(16) as pool:
        while pending:  # batches of jobs whose helpers all differ, pressed at once
            batch: list[list[Offer]] = []
            busy: set[int] = set()
            for job in list(pending):
                helpers = {o.helper_id for o in job}
                if not helpers & busy:
                    batch.append(job)
                    busy |= helpers
                    pending.remove(job)
            futures = [pool.submit(press, o) for job in batch for o in job]
            for future in futures:
                future.result(timeout=WAIT)
    return answers


def sse_updates(response: httpx.Response, into: list[str], stop: threading.Event) -> None:
    """Collect the stream's `update` events until `stop`, or until the stream is closed."""
    event, data = "", []
    try:
        for line in response.iter_lines():
            if stop.is_set():
                return
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif line == "":
                if event == "update":
                    into.append("\n".join(data))
                event, data = "", []
    except (httpx.HTTPError, httpx.StreamError):  # closed by the test: done
        return


def console_login(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    form = client.get("/console/login")
    assert form.status_code == 200
    csrf = client.cookies.get("cdm_login_csrf")
    assert csrf
    logged = client.post(
        "/console/login",
        data={"username": DISPATCHER_LOGIN, "password": DISPATCHER_PASSWORD, "csrf": csrf},
    )
    assert logged.status_code == 303, logged.text
    assert client.get("/console/conversations").status_code == 200
    return client


def check_console_live_across_instances(system: System) -> None:
    a, b = console_login(system.urls[0]), console_login(system.urls[1])
    newcomer = TgUser(939_999, "Zoé")
    updates: list[str] = []
    stop = threading.Event()
    try:
        # A read timeout above the stream's 15 s keepalive: a silent stream ends the reader.
        timeout = httpx.Timeout(10, read=30)
        with b.stream("GET", "/console/conversations/stream", timeout=timeout) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            reader = threading.Thread(
                target=sse_updates, args=(response, updates, stop), daemon=True
            )
            reader.start()
            eventually(lambda: len(updates) >= 1, "B's stream sending the list", 15)
            assert str(newcomer.id) not in updates[0]
            # A message through instance A (the Telegram webhook there)...
            reply = post_update(
                a, system.telegram.text_update(newcomer, "bonjour"), secret=WEBHOOK_SECRET
            )
            assert reply.status_code == 200, reply.text
            # ... is announced on B's stream.
            eventually(
                lambda: any('data-conversation="' in u and str(newcomer.id) in u for u in updates),
                "B's live list showing the conversation started through A",
                15,
            )
            stop.set()
        reader.join(10)
    finally:
        stop.set()
        a.close()
        b.close()


def test_twenty_conversations_on_two_web_instances_and_two_workers_lose_and_double_nothing(
    system: System,
) -> None:
    engine: Engine = make_engine(system.database_url)
    factory = make_session_factory(engine)
    try:
        upgrade(engine)
        people = seed(factory)
        system.start_all()
        balancer = Balancer(system.urls)
        driver = Driver(system, balancer)

        restart = run_conversations_with_a_restart(system, driver, people)

        # Every conversation ended with its request stored, one each.
        requests = rows(factory, select(HelpRequest))
        assert len(requests) == 2 * CONVERSATIONS_PER_CHANNEL
        assert Counter(r.channel for r in requests) == {
            "telegram": CONVERSATIONS_PER_CHANNEL,
            "voice": CONVERSATIONS_PER_CHANNEL,
        }
        assert len({r.requester_id for r in requests}) == 2 * CONVERSATIONS_PER_CHANNEL
        # The restart happened while conversations went on, and cost nothing.
        # uvicorn shuts down gracefully, then re-raises the signal: exit status -SIGTERM.
        assert restart["exit_code"] in (0, -signal.SIGTERM), restart
        first_run = system.log_text(system.webs[0]).split("start #2")[0]
        assert "Application shutdown complete." in first_run
        assert "Traceback" not in system.log_text(system.webs[0])
        assert restart["turns_after"] > restart["turns_before"]
        assert all(balancer.served), balancer.served
        assert restart["rerouted"] > 0, "requests meant for A while it was down went to B"
        assert balancer.served[0] > restart["served_by_a"], "conversations went on on the new A"

        answers = press_accepts_at_once(system, driver, people, factory)

        # Exactly one winner per job; the others told it is taken, within the turn.
        eventually(
            lambda: (
                not rows(
                    factory, select(OutboxMessage).where(OutboxMessage.status != OutboxStatus.sent)
                )
            ),
            "the outbox drained by the workers",
            WAIT,
        )
        for request in rows(factory, select(HelpRequest)):
            said = answers[request.id]
            winners = [h for h, t in said.items() if t.startswith("Merci ! La mission est pour")]
            assert len(winners) == 1, said
            assert request.status == RequestStatus.assigned and request.helper_id == winners[0]
            losers = [h for h in said if h != winners[0]]
            assert all(said[h].startswith("Merci ! Quelqu'un d'autre a été plus") for h in losers)
            statuses = {
                o.helper_id: o.status
                for o in rows(factory, select(Offer).where(Offer.request_id == request.id))
            }
            assert statuses[winners[0]] == OfferStatus.accepted
            assert {statuses[h] for h in losers} == {OfferStatus.withdrawn}
            for h in losers:  # and by the outbox, once
                told = system.telegram.texts_to(people.helpers[h].id)
                taken = f"Un autre voisin s'occupe déjà de la demande n°{request.id}."
                assert sum(taken in t for t in told) == 1, told

        print(f"served by A, B: {balancer.served}; rerouted: {dict(balancer.errors)}; {restart}")

        check_outbox_against_the_fakes(system, factory, people)
        check_console_live_across_instances(system)
        for proc in (*system.webs, *system.workers):
            log = system.log_text(proc)
            assert "Traceback" not in log and " ERROR " not in log, proc.name
            assert "WARNING coupdemain.live_updates" not in log, proc.name  # Redis stayed up
            for secret in (TELEGRAM_TOKEN, AUTH_TOKEN, WEBHOOK_SECRET, DISPATCHER_PASSWORD):
                assert secret not in log, f"a secret in {proc.name}'s log"
    except BaseException:
        system.print_logs()
        raise
    finally:
        engine.dispose()


def check_outbox_against_the_fakes(
    system: System, factory: sessionmaker[Session], people: People
) -> None:
    """Each row sent once; each message the fakes received is exactly one row."""
    outbox = rows(factory, select(OutboxMessage))
    assert outbox and all(m.status == OutboxStatus.sent for m in outbox)
    assert [m.attempts for m in outbox] == [1] * len(outbox)
    provider_ids = [m.provider_id for m in outbox]
    assert all(provider_ids) and len(set(provider_ids)) == len(provider_ids)
    by_channel: dict[str, set[tuple[str, str]]] = {}
    for m in outbox:
        by_channel.setdefault(m.channel, set()).add((m.address, str(m.provider_id)))

    delivered_tg = system.telegram.outbox_messages()
    assert len(delivered_tg) == len({m for _, m in delivered_tg})
    assert {(str(c), str(m)) for c, m in delivered_tg} == by_channel.pop("telegram")
    recorded = {
        (m.to, m.sid) for number in people.requesters_phone for m in system.twilio.sms_to(number)
    }
    assert len(system.twilio.requests("Messages")) == len(recorded)  # none to anyone else
    assert recorded == by_channel.pop("sms", set())
    calls = {
        (c.to, c.sid) for number in people.requesters_phone for c in system.twilio.calls_to(number)
    }
    assert len(system.twilio.requests("Calls")) == len(calls)
    assert calls == by_channel.pop("voice_call", set())
    assert by_channel == {}, f"rows on channels no fake saw: {sorted(by_channel)}"
    # Each requester heard the news once, on their own channel.
    for user in people.requesters_tg:
        news = [t for t in system.telegram.texts_to(user.id) if "va venir vous aider" in t]
        assert len(news) == 1, system.telegram.texts_to(user.id)
    requests = {r.requester_id: r for r in rows(factory, select(HelpRequest))}
    for number in people.requesters_phone:
        request = requests[people.person_ids[number]]
        sms = [m.body for m in system.twilio.sms_to(number)]
        rung = system.twilio.calls_to(number)
        if number.startswith("+336"):  # a mobile: the booking, then the news, by SMS
            assert len(sms) == 2 and not rung, sms
            assert sms[0].startswith(f"Coup de main : votre demande n°{request.id} est notée")
            assert f"« {request.safety_word} »" in sms[1]
        else:  # a landline: the news is a call
            assert not sms and len(rung) == 1, (sms, rung)
