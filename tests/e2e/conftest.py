"""The local stack as a real process (`tsur local`), shared by the end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tsur.local.aws import free_port

TSUR = str(Path(sys.executable).parent / "tsur")
# The tests' requests all come from 127.0.0.1, more than one resident would send: the per-client rate
# limit is set high unless a module asks otherwise (`STACK_ARGS`, see test_rate_limit.py).
STACK_ARGS = ("--rate-limit", "100000")


class Stack:
    def __init__(self, state_dir: Path, *options: str) -> None:
        self.state_dir = state_dir
        self.options = options  # more `tsur local` options, e.g. ("--answer-review", "operator")
        self.port, self.aws_port, self.agency_port, self.mail_port = (free_port() for _ in range(4))
        self.api = f"http://127.0.0.1:{self.port}"
        self.agency = f"http://127.0.0.1:{self.agency_port}"
        self.mailbox = f"http://127.0.0.1:{self.mail_port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self, fresh: bool) -> None:
        args = [TSUR, "local", "--port", str(self.port), "--aws-port", str(self.aws_port),
                "--agency-port", str(self.agency_port), "--mail-port", str(self.mail_port),
                "--state-dir", str(self.state_dir),
                "--schedule-interval", "2", *self.options] + (["--fresh"] if fresh else [])
        log = open(self.state_dir.parent / "stack.log", "a")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        wait_for(lambda: requests.get(f"{self.api}/health", timeout=1).status_code == 200, 90, self)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)

    def log(self) -> str:
        path = self.state_dir.parent / "stack.log"
        return path.read_text()[-4000:] if path.exists() else ""


def wait_for(check, seconds: float, stack: Stack):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except requests.RequestException:
            pass
        if stack.process and stack.process.poll() is not None:
            pytest.fail(f"tsur local exited with {stack.process.returncode}:\n{stack.log()}")
        time.sleep(0.3)
    pytest.fail(f"timed out after {seconds}s; stack log:\n{stack.log()}")


def running_stack(tmp_path_factory: pytest.TempPathFactory, *options: str) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("tsur") / "local", *options)
    running.state_dir.mkdir()
    running.start(fresh=True)
    yield running
    if running.process and running.process.poll() is None:
        running.process.kill()


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory, *getattr(request.module, "STACK_ARGS", STACK_ARGS))


def track(stack: Stack, accepted: dict) -> dict:
    response = requests.get(f"{stack.api}/v1/appeals/{accepted['id']}",
                            headers={"X-Tracking-Token": accepted["token"]}, timeout=5)
    assert response.status_code == 200
    return response.json()
