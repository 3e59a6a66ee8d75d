"""`coupdemain serve`'s processes: one web process with the workers embedded (the default),
web only (`--no-workers`), or N uvicorn web processes (`--web-processes N`).

uvicorn starts several processes only from an import string, so each one builds its app with
`coupdemain.app:create_app_from_env`, and the settings serve chose (the demo's database, its
public URL) reach them as COUPDEMAIN_* environment variables. The outbox and jobs workers then
run once, in one `coupdemain worker` process beside them, never in every web process; the
console pages of all processes are woken through Redis (COUPDEMAIN_REDIS_URL), and without it
by each page's periodic look at the database.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr

from coupdemain.settings import Settings

log = logging.getLogger("coupdemain")
WORKER_STOP_SECONDS = 30.0


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as the COUPDEMAIN_* variables that rebuild them in another process."""
    env: dict[str, str] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, Path):
            value = str(value)
        env[f"COUPDEMAIN_{name.upper()}"] = str(value)
    return env


def run_web(settings: Settings, *, host: str, port: int, web_processes: int, workers: bool) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM)."""
    import uvicorn

    log_level = settings.log_level.lower()
    if web_processes == 1:
        from coupdemain.app import create_app

        if not workers:
            log.info("web only: run `coupdemain worker` beside it to deliver messages")
        app = create_app(settings.model_copy(update={"run_workers": workers}))
        uvicorn.run(app, host=host, port=port, log_level=log_level)
        return
    if not settings.redis_url:
        log.warning(
            "%d web processes without COUPDEMAIN_REDIS_URL: a console page sees another "
            "process's changes at its next look at the database (every second)",
            web_processes,
        )
    os.environ.update(settings_environment(settings.model_copy(update={"run_workers": False})))
    worker = None
    if workers:
        log.info("outbox and jobs workers: one `coupdemain worker` process")
        worker = subprocess.Popen([sys.executable, "-m", "coupdemain", "worker"])
    else:
        log.info("web only: run `coupdemain worker` beside it to deliver messages")
    try:
        uvicorn.run(
            "coupdemain.app:create_app_from_env",
            factory=True,
            workers=web_processes,
            host=host,
            port=port,
            log_level=log_level,
        )
    finally:
        if worker is not None:
            worker.terminate()  # SIGTERM: it finishes the message in hand
            try:
                worker.wait(WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                log.warning("the worker process did not stop in time; killing it")
                worker.kill()
