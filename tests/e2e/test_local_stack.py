"""The whole system as a user runs it: `tsur local` as a real process, driven over HTTP."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.e2e.conftest import TSUR, Stack, track, wait_for
from tsur.local.aws import free_port

pytestmark = pytest.mark.e2e
APPEALS = [
    {"text": "Во дворе дома 12 не вывозят мусор уже неделю, контейнеры переполнены", "municipality": "nevsky"},
    {"text": "Третий день нет отопления в квартире, батареи ледяные", "sector": "housing_utilities"},
    {"text": "Открытый люк на тротуаре возле школы, дети могут упасть", "lat": 59.93, "lon": 30.36},
]


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


def test_only_the_admin_pages_origin_preflights_the_operators_api_over_real_http(stack: Stack) -> None:
    ask = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    own = requests.options(f"{stack.api}/v1/admin/cases", headers={"Origin": stack.api, **ask}, timeout=5)
    assert own.status_code == 204 and own.headers["Access-Control-Allow-Origin"] == stack.api
    assert "Authorization" in own.headers["Access-Control-Allow-Headers"]
    foreign = requests.options(f"{stack.api}/v1/admin/cases", headers={"Origin": "https://evil.example", **ask},
                               timeout=5)
    assert "Access-Control-Allow-Origin" not in foreign.headers
    districts = requests.get(f"{stack.api}/v1/districts", headers={"Origin": stack.api}, timeout=5)
    assert districts.headers["Access-Control-Allow-Origin"] == stack.api and districts.json()["districts"]


def test_operators_commands_work_against_the_running_stack(stack: Stack) -> None:
    accepted = requests.post(f"{stack.api}/v1/appeals", json=APPEALS[0], timeout=5).json()
    wait_for(lambda: track(stack, accepted)["timeline"][-1]["kind"] == "delivered", 30, stack)

    def tsur(*args: str) -> str:
        proc = subprocess.run([TSUR, *args, "--state-dir", str(stack.state_dir)], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    listed = json.loads(tsur("deliveries", "list", "--case", accepted["id"], "--json"))
    assert [(d["status"], d["attempt_count"]) for d in listed] == [("delivered", 1)]
    assert "notify" in tsur("dlq", "list")


class Gone(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(410)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_410_reaches_the_operators_in_the_local_mailbox_once(stack: Stack) -> None:
    gone = ThreadingHTTPServer(("127.0.0.1", free_port()), Gone)
    threading.Thread(target=gone.serve_forever, daemon=True).start()
    try:
        subprocess.run([TSUR, "executors", "set-url", "roads_committee", f"http://127.0.0.1:{gone.server_port}/x",
                        "--state-dir", str(stack.state_dir)], check=True, capture_output=True, timeout=60)
        for n in range(2):
            requests.post(f"{stack.api}/v1/appeals", timeout=5, json={
                "text": f"Глубокая яма на дороге у дома {n + 4} по Садовой улице, разрушен асфальт", "sector": "roads"})

        def alerts() -> list[dict]:
            return requests.get(f"{stack.mailbox}/messages", params={"to": "operators@tsur.local"}, timeout=5).json()

        letter, = wait_for(alerts, 30, stack)
        assert "Комитет" in letter["subject"] and "tsur executors enable roads_committee" in letter["body"]
        time.sleep(3)  # the second appeal's webhook is held, not a second letter
        assert len(alerts()) == 1
    finally:
        gone.shutdown()
        gone.server_close()


def test_ctrl_c_stops_cleanly_and_what_was_entered_survives_a_restart(stack: Stack) -> None:
    accepted = requests.post(f"{stack.api}/v1/appeals", json=APPEALS[0], timeout=5).json()
    wait_for(lambda: track(stack, accepted)["status"] == "assigned", 30, stack)
    assert stack.stop() == 0
    stack.start(fresh=False)
    assert track(stack, accepted)["status"] == "assigned"
    assert stack.stop() == 0
