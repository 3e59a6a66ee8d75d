"""`serve --demo` keeps var/demo.db across restarts; `demo reset` starts it over; the terminal
chat never makes an empty demo of its own. On real SQLite files under a temporary var/."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from backend.conversations.models import Conversation
from backend.db import make_engine, make_session_factory, transaction, utcnow
from backend.migrations.runner import upgrade
from backend.people.models import Person
from backend.requests.models import HelpRequest, PayMode
from backend.requests.schemas import HelpRequestCreate
from backend.requests.service import create_request
from coupdemain.bootstrap import demo_path, prepare_demo
from coupdemain.cli import app
from coupdemain.demo import seed_demo
from coupdemain.settings import Settings
from tests.console.console_helpers import log_in

DETAILS = "Changer l'ampoule du couloir, trop haute pour moi"
DEMO_PEOPLE = 40 + 25 + 2  # residents, helpers, the dispatcher and the admin


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", run_workers=False, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def var_env(tmp_path: Path) -> dict[str, str]:
    return {"COUPDEMAIN_VAR_DIR": str(tmp_path / "var"), "COUPDEMAIN_DATABASE_URL": ""}


def start(settings: Settings, capsys: pytest.CaptureFixture[str], reset: bool = False) -> str:
    prepare_demo(settings, host="127.0.0.1", port=8000, reset=reset)
    return capsys.readouterr().out


def ask_for_help(demo: Settings) -> int:
    """A request made while the demo runs, as the engine would store it."""
    engine = make_engine(demo.resolved_database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            requester = session.scalars(select(Person).where(Person.login.is_(None))).first()
            assert requester is not None
            request = create_request(
                session,
                HelpRequestCreate(
                    requester_id=requester.id, service="diy", details=DETAILS,
                    duration_minutes=30, pay_mode=PayMode.volunteer, language="fr",
                    channel="telegram",
                ),
            )  # fmt: skip
            return request.id
    finally:
        engine.dispose()


def count(demo: Settings, what: type[HelpRequest] | type[Person], **where: object) -> int:
    engine = make_engine(demo.resolved_database_url)
    try:
        with make_session_factory(engine)() as session:
            stmt = select(func.count()).select_from(what).filter_by(**where)
            return int(session.scalar(stmt) or 0)
    finally:
        engine.dispose()


def test_a_second_start_keeps_a_request_made_in_between_and_says_so(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    first = start(settings, capsys)
    assert "Données de démo créées" in first
    demo = settings.model_copy(update={"database_url": f"sqlite:///{demo_path(settings)}"})
    ask_for_help(demo)

    second = start(settings, capsys)

    assert count(demo, HelpRequest, details=DETAILS) == 1
    assert count(demo, Person) == DEMO_PEOPLE  # not seeded a second time on top
    assert "Données de démo conservées" in second
    assert "Demo data kept: " in second and "`coupdemain demo reset` to start over" in second
    today = utcnow().astimezone().strftime("%Y-%m-%d")
    assert f"seeded {today}" in second
    assert "Dispatcher login: dispatch / croix-rousse-2026" in second


def test_reset_wipes_what_was_done_and_seeds_again_and_says_so(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    start(settings, capsys)
    demo = settings.model_copy(update={"database_url": f"sqlite:///{demo_path(settings)}"})
    ask_for_help(demo)

    said = start(settings, capsys, reset=True)

    assert count(demo, HelpRequest, details=DETAILS) == 0
    assert count(demo, Person) == DEMO_PEOPLE
    assert "Données de démo effacées puis recréées" in said
    assert "Demo data reset" in said and "deleted and seeded again" in said


def test_demo_reset_command_asks_first_and_starts_over_with_yes(
    settings: Settings, capsys: pytest.CaptureFixture[str], var_env: dict[str, str]
) -> None:
    start(settings, capsys)
    demo = settings.model_copy(update={"database_url": f"sqlite:///{demo_path(settings)}"})
    ask_for_help(demo)
    runner = CliRunner()

    declined = runner.invoke(app, ["demo", "reset"], input="n\n", env=var_env)
    assert declined.exit_code == 1
    assert count(demo, HelpRequest, details=DETAILS) == 1

    done = runner.invoke(app, ["demo", "reset", "--yes"], env=var_env)
    assert done.exit_code == 0, done.output
    assert "Demo data reset" in done.output
    assert count(demo, HelpRequest, details=DETAILS) == 0


@pytest.fixture
def another_process_using_the_demo(settings: Settings) -> Iterator[None]:
    """A second process holding the demo as a server or a terminal chat does."""
    code = (
        "import sys; from pathlib import Path; from coupdemain.settings import Settings; "
        "from coupdemain.bootstrap import hold_demo; "
        f"hold_demo(Settings(var_dir=Path({str(settings.var_dir)!r}), _env_file=None)); "
        "print('holding', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.stdin.close()
        holder.wait()


def test_reset_is_refused_while_another_process_uses_the_demo(
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    var_env: dict[str, str],
    another_process_using_the_demo: None,
) -> None:
    start(settings, capsys)
    demo = settings.model_copy(update={"database_url": f"sqlite:///{demo_path(settings)}"})
    ask_for_help(demo)

    refused = CliRunner().invoke(app, ["demo", "reset", "--yes"], env=var_env)

    assert refused.exit_code == 2
    assert "is in use by another process" in refused.output
    assert count(demo, HelpRequest, details=DETAILS) == 1
    # Another server on it without --reset is fine: it keeps the data.
    assert "Demo data kept" in start(settings, capsys)


def test_an_empty_demo_file_left_by_an_older_chat_is_seeded(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.var_dir.mkdir(parents=True)
    demo_path(settings).touch()
    said = start(settings, capsys)
    assert "Données de démo créées" in said
    demo = settings.model_copy(update={"database_url": f"sqlite:///{demo_path(settings)}"})
    assert count(demo, Person) == DEMO_PEOPLE


def test_chat_without_a_demo_says_to_start_make_demo_and_creates_no_file(
    settings: Settings, var_env: dict[str, str]
) -> None:
    said = CliRunner().invoke(app, ["chat", "--demo"], input="", env=var_env)
    assert said.exit_code == 2
    assert "make demo" in said.output
    assert not demo_path(settings).exists()


def test_a_demo_seeded_yesterday_still_shows_who_waits_for_a_person(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.var_dir.mkdir(parents=True)
    demo = settings.model_copy(update={"database_url": f"sqlite:///{demo_path(settings)}"})
    engine = make_engine(demo.resolved_database_url)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            seed_demo(session, now=utcnow() - timedelta(days=1, hours=2))
            waiting = {
                name
                for (name,) in session.execute(
                    select(Person.display_name)
                    .join(Conversation, Conversation.person_id == Person.id)
                    .where(Conversation.handled_by == "waiting")
                )
            }
    finally:
        engine.dispose()
    assert waiting
    kept = prepare_demo(settings, host="127.0.0.1", port=8000)
    assert "Demo data kept" in capsys.readouterr().out

    from coupdemain.app import create_app

    with TestClient(create_app(kept)) as client:
        log_in(client, "dispatch", "croix-rousse-2026")
        conversations = client.get("/console/conversations")
        assert conversations.status_code == 200
        for name in waiting:
            assert name in conversations.text
        for page in ("/console/requests", "/console/dashboard", "/console/payments"):
            assert client.get(page).status_code == 200, page
