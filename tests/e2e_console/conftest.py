"""The console in a real headless Chromium, against the real app served over HTTP.

The app (`create_app`, with its outbox and jobs workers) runs in uvicorn on a loopback port;
the real python-telegram-bot answers Telegram updates posted to its webhook by calling the
fake Bot API server; Debian's Chromium, driven by Playwright, is the dispatcher. Screenshots
of each step go to `test-output/console/<test>/` (or under COUPDEMAIN_TEST_OUTPUT).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from coupdemain.app import create_app
from coupdemain.configuration import dispatch_config, engine_config
from dialogues.engine import Engine
from nlu.interface import IntentParser
from tests.dialogues.conftest import nlu_parser  # noqa: F401  (the real model, once a session)
from tests.e2e_telegram.conftest import unhurried, webhook_settings
from tests.fakes.server import BackgroundServer
from tests.fakes.telegram_api import FakeTelegram, TgUser, post_update

TOKEN = "123:CONSOLE"
SECRET = "console-webhook-secret"
CHROMIUM = os.environ.get("COUPDEMAIN_TEST_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(os.environ.get("COUPDEMAIN_TEST_OUTPUT", Path(__file__).parents[2] / "test-output"))
# As the machine's probe starts it: no sandbox as root, and no calls to Google's services,
# which this closed network refuses many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LIVE_REFRESH_SECONDS = 0.25

_user_ids = itertools.count(810_001)


def new_tg_user(first_name: str) -> TgUser:
    return TgUser(id=next(_user_ids), first_name=first_name, language_code="fr")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per module: Playwright's sync API runs an event loop in this thread while
    it is open, which later tests that call asyncio.run() must not find."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: `make test` installs Debian's chromium package "
            "(or set COUPDEMAIN_TEST_CHROMIUM to a Chromium binary)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Screens:
    folder: Path
    taken: list[Path] = field(default_factory=list)

    def shot(self, page: Page, step: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture
def screens(request: pytest.FixtureRequest) -> Screens:
    folder = OUTPUT / "console" / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return Screens(folder)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as server:
        yield server


@dataclass
class LiveConsole:
    """The running app: its URL, Telegram as the fake sees it, and the database."""

    url: str
    fake: FakeTelegram
    factory: sessionmaker[Session]

    def telegram(self, user: TgUser, text: str) -> None:
        """`user` writes to the bot; the webhook answers once the turn is done."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            reply = post_update(client, self.fake.text_update(user, text), secret=SECRET)
        assert reply.status_code == 200, reply.text

    def reads(self, user: TgUser) -> list[str]:
        return self.fake.texts_to(user.id)

    def wait_until_read(self, user: TgUser, text: str, timeout: float = 15) -> None:
        self.fake.wait_for(lambda: any(text in t for t in self.reads(user)), timeout=timeout)

    def scalars(self, statement: Any) -> list[Any]:
        with self.factory() as s:
            rows = list(s.scalars(statement))
            s.expunge_all()
            return rows


@pytest.fixture
def live(
    engine: DbEngine,
    session_factory: sessionmaker[Session],
    nlu_parser: IntentParser,  # noqa: F811
    fake: FakeTelegram,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LiveConsole]:
    monkeypatch.setattr("bots.telegram.application.ChatRateLimiter", lambda **_: unhurried())
    monkeypatch.setattr("bots.telegram.sender.ChatRateLimiter", lambda **_: unhurried())
    settings = webhook_settings(
        engine, tmp_path, fake, run_workers=True, token=TOKEN, secret=SECRET
    )
    conversation_engine = Engine(
        session_factory, nlu_parser, engine_config(settings, dispatch_config(settings))
    )
    app = create_app(settings, conversation_engine=conversation_engine)
    app.state.console_refresh_seconds = LIVE_REFRESH_SECONDS
    server = BackgroundServer(app, "console-app", lifespan="on")
    port = server.start()
    try:
        yield LiveConsole(f"http://127.0.0.1:{port}", fake, session_factory)
    finally:
        server.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
