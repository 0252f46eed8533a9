"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against `tsur local` as a process.

Never `playwright install`: the browser is the system's, installed by `make browser-deps`. When it is missing
the tests fail, loudly, rather than skip. Screenshots go to test-artifacts/browser/; with
TSUR_UPDATE_SCREENSHOTS=1 the ones the README shows are also copied to docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import STACK_ARGS, Stack, running_stack, wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
README_SHOTS = REPO / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The local stack with answers waiting for an operator (as in AWS), so the pages publish and return them."""
    yield from running_stack(tmp_path_factory, *STACK_ARGS, "--answer-review", "operator")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """open_page(viewport=DESKTOP) → a page in a fresh context: its own sessionStorage, so its own sign-in."""
    contexts: list[Any] = []

    def new_page(viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(viewport=viewport, locale="ru-RU", timezone_id="Europe/Moscow")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    errors: list[str] = []
    yield new_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def screenshot(page: Any, name: str, readme: bool = False) -> Path:
    """Saved as a test artefact; with TSUR_UPDATE_SCREENSHOTS=1 the README's ones also go to docs/screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if readme and os.environ.get("TSUR_UPDATE_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        save_small(path, README_SHOTS / f"{name}.png")
    return path


def save_small(source: Path, target: Path) -> None:
    """A 256-colour palette PNG: a page screenshot loses nothing visible and shrinks to about a third."""
    from PIL import Image

    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def credentials(stack: Stack) -> dict[str, Any]:
    return json.loads((stack.state_dir / "credentials.json").read_text())


def operator_password(stack: Stack, username: str) -> str:
    operators = credentials(stack)["operators"]
    return str(next(o["password"] for o in operators if o["username"] == username))


def executor_headers(stack: Stack, executor_id: str) -> dict[str, str]:
    key = next(e["api_key"] for e in credentials(stack)["executors"] if e["id"] == executor_id)
    return {"Authorization": f"Bearer {key}"}


def operator_headers(stack: Stack, username: str) -> dict[str, str]:
    response = requests.post(f"{stack.api}/v1/auth/login", timeout=5,
                             json={"username": username, "password": operator_password(stack, username)})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def sign_in(page: Any, stack: Stack, username: str, hash_path: str = "") -> None:
    page.goto(f"{stack.api}/admin/{hash_path}")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(operator_password(stack, username))
    page.get_by_role("button", name="Войти").click()
    page.locator("#nav a").first.wait_for()


def admin_case(stack: Stack, case_id: str, username: str = "operator") -> dict[str, Any]:
    response = requests.get(f"{stack.api}/v1/admin/cases/{case_id}", headers=operator_headers(stack, username),
                            timeout=5)
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_for_status(stack: Stack, case_id: str, statuses: set[str], seconds: float = 30) -> dict[str, Any]:
    headers = operator_headers(stack, "operator")

    def reached() -> dict[str, Any] | None:
        case = requests.get(f"{stack.api}/v1/admin/cases/{case_id}", headers=headers, timeout=5).json()
        return case if case.get("status") in statuses else None

    return dict(wait_for(reached, seconds, stack))


def png(width: int = 64, height: int = 48) -> bytes:
    """A real PNG (a colour gradient), small enough to upload in a blink."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 5 % 256, 160))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def aws_client(stack: Stack, service: str) -> Any:
    """A client of the stack's moto, for what a test cannot wait a day for (see `park`)."""
    import boto3

    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{stack.aws_port}", region_name="eu-central-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def park(stack: Stack, case_id: str, webhook_id: str) -> None:
    """Park a delivery as its last failed attempt does: 11 attempts over a day are too long for a test, so one
    failed attempt with no retries left stands for them (the domain's own `record` decides it is parked)."""
    from datetime import UTC, datetime

    from chalicelib.adapters.dynamo_deliveries import DynamoDeliveryRepository
    from chalicelib.domain.delivery import Attempt, RetrySchedule

    repository = DynamoDeliveryRepository("tsur-local-cases", aws_client(stack, "dynamodb"))
    delivery = repository.get(case_id, webhook_id)
    assert delivery is not None, webhook_id
    failed = Attempt(datetime.now(UTC), delivery.next_number, 500, 12.0, "HTTP 500")
    assert delivery.record(failed, RetrySchedule(delays=()), lambda: 0.0).value == "parked"
    repository.save(delivery)


def park_in_dead_letters(stack: Stack, queue: str, body: dict[str, Any]) -> None:
    """A message that failed its receives, as SQS leaves it in the queue's dead-letter queue."""
    sqs = aws_client(stack, "sqs")
    url = sqs.get_queue_url(QueueName=f"tsur-local-{queue}-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))


def submit(stack: Stack, **appeal: Any) -> str:
    response = requests.post(f"{stack.api}/v1/appeals", timeout=5, json=appeal)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def answer(stack: Stack, executor_id: str, case_id: str, text: str,
           attachments: list[str] | None = None, kind: str = "final") -> dict[str, Any]:
    """The executor's answer (final unless `kind` says otherwise); a 409 (the pipeline saved the case
    meanwhile) is retried, as a client would."""
    def post() -> requests.Response | None:
        response = requests.post(f"{stack.api}/v1/executor/cases/{case_id}/answers", timeout=5,
                                 headers=executor_headers(stack, executor_id),
                                 json={"kind": kind, "text": text, "attachments": attachments or []})
        return None if response.status_code == 409 else response

    response = wait_for(post, 10, stack)
    assert response.status_code == 200, response.text
    return dict(response.json())


# A point inside a district of the widget's map, in the page's coordinates (the first of a grid whose
# neighbours are inside too, so a click there cannot land on a border).
POINT_IN_DISTRICT = """(id) => {
  const path = document.querySelector(`.tsur-district[data-district="${id}"]`);
  const svg = path.ownerSVGElement, box = path.getBBox();
  const inside = (x, y) => path.isPointInFill(new DOMPoint(x, y));
  for (let i = 2; i < 40; i++) for (let j = 2; j < 40; j++) {
    const x = box.x + box.width * i / 40, y = box.y + box.height * j / 40;
    if ([[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]].every(([dx, dy]) => inside(x + dx, y + dy))) {
      const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());
      return [p.x, p.y];
    }
  }
  return null;
}"""


def click_district(page: Any, district: str) -> None:
    page.locator(".tsur-map").scroll_into_view_if_needed()
    point = page.evaluate(POINT_IN_DISTRICT, district)
    assert point, district
    page.mouse.click(*point)
