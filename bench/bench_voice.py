"""Hotline webhook response time per turn, 50 calls at once, on SQLite and PostgreSQL.

Usage: `python -m bench voice`

A turn is what Twilio sees: one signed POST (form fields, X-Twilio-Signature checked with
twilio's RequestValidator) answered with TwiML. A call here is the whole keypad-and-speech
booking of a known caller: the call starts (greeting, menu), 1 (I need help), "des courses
demain matin" (NLU), "oui" (at home, NLU), # (no details), 1 (volunteer), 1 (the read-back
confirmed: the request is stored and offered to helpers through the outbox), a silence at
"anything else?" (goodbye, no engine turn), then the status callback (the call's end,
recorded by the engine). 9 webhooks, 8 of them engine turns.

CALLS callers talk at once, each ringing again when their call ends, every caller from a
number of its own (a known resident). Three loads:
- one call at a time, no pause: what a turn costs when nothing else is going on;
- paced: callers take 0.5-1.5 s to answer (people on a phone take longer: this is harsher
  than real), so about 50 webhooks/s are offered; first rings are spread over one call's
  length, then each caller rings again as soon as a call ends; the goal (issue 5) is
  p99 <= 100 ms here;
- flat out: no pause at all, to show throughput and what queueing does to latency.

Baseline, in the same run, in the same app process: a bare TwiML endpoint on the same stack
(uvicorn, FastAPI, the same signature check, the same TwiML rendering of a fixed question;
no engine, no database, no NLU), driven by the same callers with the same script and pauses.
Rounds of baseline and hotline alternate so that other processes' bursts favour neither.

Processes: the app (create_app with Twilio configured, workers off) runs in child processes
of its own (one; then on PostgreSQL two web processes on two ports, the callers spread over
them as a round-robin balancer would) so that its CPU time can be read from /proc; the
driver is this process (asyncio, httpx). PostgreSQL runs in a throw-away database and is
skipped when unreachable.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

import backend.models  # noqa: F401  (registers every table)
from backend.db import Base, make_engine, make_session_factory
from backend.people.models import Role
from backend.people.schemas import AddressIn, AvailabilityIn, HelperProfileIn, PersonCreate
from backend.people.service import create_person
from backend.requests.models import HelpRequest
from bench.processes import AppProcesses
from bench.throwaway import throwaway_postgres

CALLS = 50  # calls in progress at once
ROUNDS = 2  # measured rounds per side and load, alternating baseline and hotline
CALLS_PER_CALLER = 3  # in a paced round: each caller rings again when a call ends
ALONE_CALLS = 10  # calls one after the other, for a turn's latency without contention
PAUSE = (0.5, 1.5)  # seconds a paced caller takes to answer
HELPERS = 12
ACCOUNT_SID = "AC" + "b" * 32
TOKEN = "bench-twilio-auth-token"
PUBLIC_URL = "https://hotline.bench.example"
HOTLINE = "+33482530000"
MODELS_DIR = Path(__file__).resolve().parents[1] / "var" / "test-models" / "nlu"
CENTRE = (45.7640, 4.8357)
GOAL_P99_MS = 100.0

# The caller's answers after the greeting: digits, or words (NLU), or None for a silence.
SCRIPT: tuple[dict[str, str], ...] = (
    {"Digits": "1"},
    {"SpeechResult": "des courses demain matin", "Confidence": "0.91"},
    {"SpeechResult": "oui", "Confidence": "0.95"},
    {"Digits": "#"},
    {"Digits": "1"},
    {"Digits": "1"},
    {},  # silence at "anything else?": goodbye
)
WEBHOOKS = 1 + len(SCRIPT) + 1  # start, answers, status callback


# ---------------------------------------------------------------------- the app (child)
def _serve(database_url: str, port: int) -> None:
    """Child process: the real app with the hotline, plus the bare baseline route."""
    import logging

    import uvicorn
    from fastapi import Request, Response

    from bots.voice.render import CallUrls, Transfers, render_call
    from bots.voice.signature import TwilioSignature
    from coupdemain.app import create_app
    from coupdemain.configuration import dispatch_config, engine_config
    from coupdemain.settings import Settings
    from dialogues.engine import Engine
    from dialogues.messages import Choice, Expect, Outgoing
    from nlu.artefact import load_or_train

    logging.basicConfig(level=logging.WARNING)
    settings = Settings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=TOKEN,  # type: ignore[arg-type]
        twilio_number=HOTLINE,
        twilio_api_url="http://127.0.0.1:9",  # nothing is sent: the workers are off
        dispatcher_phone="+33482539999",
        run_workers=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    parser = load_or_train(MODELS_DIR)
    parser.parse("bonjour")  # loaded before the first turn, as at the app's start
    engine = Engine(
        make_session_factory(make_engine(database_url)),
        parser,
        engine_config(settings, dispatch_config(settings)),
    )
    app = create_app(settings, conversation_engine=engine)
    signature = TwilioSignature(TOKEN, PUBLIC_URL)
    question = Outgoing(
        "C'est bien ça ?",
        choices=(Choice("yes", "Oui", "1"), Choice("no", "Non", "2")),
        expect=Expect.yes_no,
    )
    transfers = Transfers(dispatcher="+33482539999", hotline=HOTLINE, phone_of=lambda _: None)

    async def bare(request: Request) -> Response:
        form = await signature.form(request)
        if form is None:
            return Response("forbidden", status_code=403)
        turn = int(request.query_params.get("turn", "0"))
        nxt = f"{PUBLIC_URL}/bench/bare?turn={turn + 1}"
        urls = CallUrls(answer=nxt, idle=nxt + "&idle=1", dialed=nxt)
        twiml = render_call([question], "fr", urls=urls, transfers=transfers)
        return Response(twiml, media_type="application/xml")

    # Starlette routes: the endpoint takes the request itself, as the hotline's routes do.
    app.router.add_route("/bench/bare", bare, methods=["POST"])
    app.router.add_route("/bench/bare/{name}", bare, methods=["POST"])
    # Keep-alive longer than any pause: a connection closed by the server just as the driver
    # reuses it would be an error of the benchmark, not of the hotline.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=120,
    )


# ---------------------------------------------------------------------- the callers
_ACTION = re.compile(r'<Gather action="([^"]+)"')
_validator = RequestValidator(TOKEN)


@dataclass
class Round:
    latencies: list[float] = field(default_factory=list)
    spoken: list[float] = field(default_factory=list)
    keyed: list[float] = field(default_factory=list)
    seconds: float = 0.0
    app_cpu: float | None = None
    errors: int = 0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds


async def _post(
    client: httpx.AsyncClient, url: str, form: dict[str, str], record: Round, kind: str
) -> str:
    signature = _validator.compute_signature(url, form)
    path = url[len(PUBLIC_URL) :]
    started = time.perf_counter()
    response = await client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    elapsed = time.perf_counter() - started
    record.latencies.append(elapsed)
    if kind == "speech":
        record.spoken.append(elapsed)
    elif kind == "keys":
        record.keyed.append(elapsed)
    if response.status_code != 200:
        record.errors += 1
    return response.text


async def _call(
    client: httpx.AsyncClient, number: str, record: Round, *, bare: bool, pause: bool
) -> None:
    sid = "CA" + uuid.uuid4().hex
    base = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": sid,
        "Direction": "inbound",
        "From": number,
        "To": HOTLINE,
        "Caller": number,
        "Called": HOTLINE,
    }
    start = f"{PUBLIC_URL}/bench/bare/incoming" if bare else f"{PUBLIC_URL}/voice/incoming"
    twiml = await _post(client, start, {**base, "CallStatus": "ringing"}, record, "start")
    for answer in SCRIPT:
        if pause:
            await asyncio.sleep(random.uniform(*PAUSE))
        found = _ACTION.search(twiml)
        if found is None:
            record.errors += 1
            return
        kind = "speech" if "SpeechResult" in answer else "keys" if answer else "silence"
        action = found.group(1).replace("&amp;", "&")
        twiml = await _post(
            client, action, {**base, "CallStatus": "in-progress", **answer}, record, kind
        )
    status = f"{PUBLIC_URL}/bench/bare/status" if bare else f"{PUBLIC_URL}/voice/status"
    form = {**base, "CallStatus": "completed", "CallDuration": "40"}
    await _post(client, status, form, record, "status")


async def _drive(
    app: AppProcesses,
    numbers: Iterator[str],
    *,
    bare: bool,
    pause: bool,
    calls_each: int,
    callers: int = CALLS,
) -> Round:
    record = Round()
    limits = httpx.Limits(max_connections=callers, max_keepalive_connections=callers)

    async def caller(client: httpx.AsyncClient) -> None:
        if pause:
            # Calls in progress at once, not calls starting at once: the first rings are
            # spread over one call's length, as people ring when they ring.
            await asyncio.sleep(random.uniform(0, sum(PAUSE) / 2 * len(SCRIPT)))
        for _ in range(calls_each):
            await _call(client, next(numbers), record, bare=bare, pause=pause)

    async with AsyncExitStack() as stack:
        # Callers spread over the instances as a round-robin balancer would.
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, limits=limits, timeout=60)
            )
            for url in app.urls
        ]
        cpu = app.cpu_seconds()
        started = time.perf_counter()
        await asyncio.gather(*(caller(clients[i % len(clients)]) for i in range(callers)))
        record.seconds = time.perf_counter() - started
        after = app.cpu_seconds()
    record.app_cpu = None if cpu is None or after is None else after - cpu
    return record


# ---------------------------------------------------------------------- the data
def _numbers(count: int) -> list[str]:
    return [f"+3347810{n:04d}" for n in range(count)]


def _seed(database_url: str, numbers: list[str]) -> None:
    """Fresh tables; every caller a known resident on a landline, helpers nearby by SMS."""
    engine = make_engine(database_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    every_day = [
        AvailabilityIn(weekday=d, start_minute=8 * 60, end_minute=20 * 60) for d in range(7)
    ]
    with make_session_factory(engine)() as s, s.begin():
        for n, number in enumerate(numbers):
            create_person(
                s,
                PersonCreate(
                    display_name=f"Résidente {n}",
                    phone=number,
                    address=_address(n, "rue de la République", n * 0.00001),
                ),
            )
        for n in range(HELPERS):
            create_person(
                s,
                PersonCreate(
                    display_name=f"Aidant {n}",
                    roles=[Role.resident, Role.helper],
                    phone=f"+3363999{n:04d}",
                    address=_address(n, "rue Mercière", -n * 0.0002),
                    helper=HelperProfileIn(
                        services=["errands"],
                        radius_km=5.0,
                        languages=["fr"],
                        availability=every_day,
                    ),
                ),
            )
    engine.dispose()


def _address(n: int, street: str, shift: float) -> AddressIn:
    return AddressIn(
        street=f"{n + 1} {street}",
        postcode="69002",
        city="Lyon",
        neighbourhood="Presqu'île",
        lat=CENTRE[0] + shift,
        lon=CENTRE[1],
    )


def _requests(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(HelpRequest)).scalar_one())
    engine.dispose()
    return count


# ---------------------------------------------------------------------- the report
def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _line(label: str, rounds: list[Round]) -> dict[str, Any]:
    latencies = [x for r in rounds for x in r.latencies]
    turns = len(latencies)
    cpus = [r.app_cpu for r in rounds]
    summary = {
        "wps": statistics.median(r.per_second for r in rounds),
        "median": 1000 * statistics.median(latencies),
        "p99": _pct(latencies, 0.99),
        "max": 1000 * max(latencies),
        "cpu": None if None in cpus else 1000 * sum(cpus) / turns,  # type: ignore[arg-type]
        "errors": sum(r.errors for r in rounds),
    }
    cpu = "n/a" if summary["cpu"] is None else f"{summary['cpu']:5.2f} ms"
    print(
        f"    {label:<16} {summary['wps']:6,.0f} webhooks/s   median {summary['median']:6.1f} ms"
        f"   p99 {summary['p99']:6.1f} ms   max {summary['max']:6.1f} ms   app CPU {cpu}/webhook"
        f"   errors {summary['errors']}",
        flush=True,
    )
    spoken = [x for r in rounds for x in r.spoken]
    keyed = [x for r in rounds for x in r.keyed]
    if spoken and label != "bare TwiML":
        print(
            f"    {'':<16} spoken answers (NLU) median {1000 * statistics.median(spoken):.1f} ms "
            f"p99 {_pct(spoken, 0.99):.1f} ms; keyed answers median "
            f"{1000 * statistics.median(keyed):.1f} ms p99 {_pct(keyed, 0.99):.1f} ms",
            flush=True,
        )
    return summary


def _measure(name: str, database_url: str, processes: int = 1) -> dict[str, Any]:
    paced_calls = CALLS * CALLS_PER_CALLER * ROUNDS
    flat_calls = CALLS * ROUNDS + ALONE_CALLS * ROUNDS
    warm = CALLS
    numbers = _numbers(warm + paced_calls + flat_calls)
    _seed(database_url, numbers)
    ours = iter(numbers)
    bare_numbers = itertools.cycle(_numbers(CALLS))
    print(f"{name}, {processes} web process{'es' if processes > 1 else ''}:", flush=True)
    paced: dict[str, Any] = {}
    with AppProcesses("hotline", _serve, (database_url,), count=processes) as app:
        asyncio.run(_drive(app, ours, bare=False, pause=False, calls_each=1))  # warm up
        asyncio.run(_drive(app, bare_numbers, bare=True, pause=False, calls_each=1))
        for pause, calls_each, callers, label in (
            (False, ALONE_CALLS, 1, "one call at a time (no pause): the cost of a turn"),
            (
                True,
                CALLS_PER_CALLER,
                CALLS,
                f"paced, {CALLS} calls at once (callers answer in {PAUSE[0]}-{PAUSE[1]} s)",
            ),
            (False, 1, CALLS, f"flat out, {CALLS} calls at once (no pause)"),
        ):
            base: list[Round] = []
            hotline: list[Round] = []
            for _ in range(ROUNDS):
                for side, into, pool in ((True, base, bare_numbers), (False, hotline, ours)):
                    into.append(
                        asyncio.run(
                            _drive(
                                app,
                                pool,
                                bare=side,
                                pause=pause,
                                calls_each=calls_each,
                                callers=callers,
                            )
                        )
                    )
            print(f"  {label}:", flush=True)
            _line("bare TwiML", base)
            summary = _line("hotline", hotline)
            if pause and callers == CALLS:
                paced = summary
                verdict = "met" if summary["p99"] <= GOAL_P99_MS else "NOT met"
                print(f"    goal p99 <= {GOAL_P99_MS:.0f} ms (paced): {verdict}", flush=True)
    made = _requests(database_url)
    expected = warm + paced_calls + flat_calls
    print(
        f"  check: {made} requests stored for {expected} calls "
        f"({'all' if made == expected else 'NOT all'} booked)",
        flush=True,
    )
    return paced


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load} (shared: wall times move with it)\n"
        f"{CALLS} calls at once, {WEBHOOKS} webhooks per call ({WEBHOOKS - 1} engine turns), "
        f"{ROUNDS} rounds per side alternating; app = uvicorn, 1 process (then 2 on PostgreSQL, "
        "callers spread over both), real NLU model; "
        "driver = asyncio + httpx in this process",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        _measure("SQLite", f"sqlite:///{tmp}/voice.db")
    with throwaway_postgres() as url:
        if url is not None:
            one = _measure("PostgreSQL", url, 1)
            two = _measure("PostgreSQL", url, 2)
            if one and two:
                print(
                    f"PostgreSQL, paced: p99 {two['p99']:.0f} ms with 2 web processes against "
                    f"{one['p99']:.0f} ms with 1; {two['wps'] / one['wps']:.2f}x the webhooks/s",
                    flush=True,
                )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
