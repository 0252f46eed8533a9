"""The whole system as a user runs it: `tsur local` as a real process, driven over HTTP."""

from __future__ import annotations

import json
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

pytestmark = pytest.mark.e2e
TSUR = str(Path(sys.executable).parent / "tsur")
APPEALS = [
    {"text": "Во дворе дома 12 не вывозят мусор уже неделю, контейнеры переполнены", "municipality": "nevsky"},
    {"text": "Третий день нет отопления в квартире, батареи ледяные", "sector": "housing_utilities"},
    {"text": "Открытый люк на тротуаре возле школы, дети могут упасть", "lat": 59.93, "lon": 30.36},
]


class Stack:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.port, self.aws_port, self.agency_port = free_port(), free_port(), free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self.agency = f"http://127.0.0.1:{self.agency_port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self, fresh: bool) -> None:
        args = [TSUR, "local", "--port", str(self.port), "--aws-port", str(self.aws_port),
                "--agency-port", str(self.agency_port), "--state-dir", str(self.state_dir),
                "--schedule-interval", "2"] + (["--fresh"] if fresh else [])
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


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("tsur") / "local")
    running.state_dir.mkdir()
    running.start(fresh=True)
    yield running
    if running.process and running.process.poll() is None:
        running.process.kill()


def track(stack: Stack, accepted: dict) -> dict:
    response = requests.get(f"{stack.api}/v1/appeals/{accepted['id']}",
                            headers={"X-Tracking-Token": accepted["token"]}, timeout=5)
    assert response.status_code == 200
    return response.json()


def test_appeals_reach_the_agency_signed_and_the_resident_sees_each_step(stack: Stack) -> None:
    accepted = []
    for body in APPEALS:
        response = requests.post(f"{stack.api}/v1/appeals", json=body, timeout=5)
        assert response.status_code == 202, response.text
        accepted.append(response.json())

    def all_delivered() -> list[dict]:
        deliveries = requests.get(f"{stack.agency}/deliveries", timeout=2).json()
        got = {d["body"]["data"]["case_id"]: d for d in deliveries}
        return [got[a["id"]] for a in accepted] if all(a["id"] in got for a in accepted) else []

    deliveries = wait_for(all_delivered, 30, stack)
    assert all(d["verified"] for d in deliveries)
    credentials = json.loads((stack.state_dir / "credentials.json").read_text())
    executors = {e["id"] for e in credentials["executors"]}
    assert {d["executor_id"] for d in deliveries} <= executors
    assert deliveries[0]["executor_id"] == "adm_nevsky"

    for case in accepted:
        view = wait_for(lambda c=case: (v := track(stack, c))["timeline"][-1]["kind"] == "delivered" and v,
                        10, stack)
        assert view["status"] == "assigned"
        assert view["executor"]["name"] and view["deadline"]
        assert [e["kind"] for e in view["timeline"]] == ["received", "screened", "classified", "status", "delivered"]


def test_bad_input_is_refused_over_real_http(stack: Stack) -> None:
    response = requests.post(f"{stack.api}/v1/appeals", data="{oops", timeout=5,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["fields"][0]["field"] == "body"


def test_the_widget_and_demo_pages_are_served(stack: Stack) -> None:
    demo = requests.get(f"{stack.api}/demo/", timeout=5)
    assert demo.status_code == 200 and "tsur-widget.js" in demo.text
    script = requests.get(f"{stack.api}/widget/tsur-widget.js", timeout=5)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]


def test_ctrl_c_stops_cleanly_and_what_was_entered_survives_a_restart(stack: Stack) -> None:
    accepted = requests.post(f"{stack.api}/v1/appeals", json=APPEALS[0], timeout=5).json()
    wait_for(lambda: track(stack, accepted)["status"] == "assigned", 30, stack)
    assert stack.stop() == 0
    stack.start(fresh=False)
    assert track(stack, accepted)["status"] == "assigned"
    assert stack.stop() == 0
