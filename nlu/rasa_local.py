"""Train and serve a real Rasa (../shared/rasa/setup.sh's venv) from Python: tests, benchmarks.

Rasa lives in its own virtualenv (it declares Python < 3.11 and pins old libraries), so it
is driven as a subprocess: `rasa train nlu`, then `rasa run --enable-api`. Rasa writes to
$HOME and sends telemetry by default: both are pointed away here, with an explicit minimal
environment (nothing is read from ours).
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx

DEFAULT_RASA_VENV = Path("/tmp/rasa-venv")
RASA_HOME = Path("/tmp/rasa-home")


class RasaError(RuntimeError):
    """Rasa failed to train or to start; the message carries the end of its output."""


def rasa_executable(venv: Path = DEFAULT_RASA_VENV) -> Path | None:
    executable = venv / "bin" / "rasa"
    return executable if executable.is_file() else None


def _environment(venv: Path) -> dict[str, str]:
    RASA_HOME.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(RASA_HOME),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }


def train_rasa_nlu(
    project: Path, out_dir: Path, *, venv: Path = DEFAULT_RASA_VENV, timeout: float = 1800
) -> Path:
    """`rasa train nlu` on an exported project; returns the model file."""
    executable = rasa_executable(venv)
    if executable is None:
        raise RasaError(f"no Rasa at {venv}: run `bash ../shared/rasa/setup.sh`")
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(executable), "train", "nlu",
        "--config", str(project / "config.yml"),
        "--nlu", str(project / "data"),
        "--out", str(out_dir),
        "--fixed-model-name", "nlu",
    ]  # fmt: skip
    done = subprocess.run(
        command, env=_environment(venv), capture_output=True, text=True, timeout=timeout
    )
    model = out_dir / "nlu.tar.gz"
    if done.returncode != 0 or not model.is_file():
        raise RasaError(f"rasa train nlu failed ({done.returncode}):\n{done.stdout[-3000:]}")
    return model


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RasaServer:
    """`rasa run --enable-api` on a free local port, for the time of a `with` block."""

    def __init__(
        self, model: Path, *, venv: Path = DEFAULT_RASA_VENV, log: Path, start_timeout: float = 300
    ) -> None:
        self.model = model
        self.venv = venv
        self.log = log
        self.start_timeout = start_timeout
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RasaServer:
        executable = rasa_executable(self.venv)
        if executable is None:
            raise RasaError(f"no Rasa at {self.venv}")
        command = [
            str(executable), "run", "--enable-api", "-m", str(self.model),
            "-i", "127.0.0.1", "-p", str(self.port),
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                command, env=_environment(self.venv), stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RasaError(f"rasa run exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/status", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        self.__exit__(None, None, None)
        raise RasaError(f"rasa run not ready after {self.start_timeout:.0f} s")

    def load(self, model: Path, timeout: float = 300) -> None:
        """Swap the served model (`PUT /model`) without restarting TensorFlow."""
        answer = httpx.put(f"{self.url}/model", json={"model_file": str(model)}, timeout=timeout)
        if answer.status_code >= 300:
            raise RasaError(f"PUT /model answered {answer.status_code}: {answer.text[:300]}")
        self.model = model

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
