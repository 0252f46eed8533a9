"""Executors' endpoints: secret rotation, and no request forgery at registration or at send time.

The HTTP sender is exercised against a real server on 127.0.0.1 (allowed only with allow_loopback,
as in the local stack) and with a fake resolver for the addresses we must refuse.
"""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from chalicelib.adapters.http_webhooks import HttpWebhookSender
from chalicelib.domain.endpoint import ExecutorEndpoint, UnsafeEndpoint, endpoint_problem
from chalicelib.settings import Settings
from chalicelib.webhooks import generate_secret

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PUBLIC = "93.184.216.34"


@pytest.mark.parametrize(("url", "addresses"), [
    ("https://hooks.example.org/x", ["10.0.0.7"]),
    ("https://hooks.example.org/x", ["172.16.3.4"]),
    ("https://hooks.example.org/x", ["192.168.1.1"]),
    ("https://hooks.example.org/x", ["127.0.0.1"]),
    ("https://hooks.example.org/x", ["169.254.169.254"]),  # the cloud's metadata service
    ("https://hooks.example.org/x", ["::1"]),
    ("https://hooks.example.org/x", ["fe80::1%eth0"]),
    ("https://hooks.example.org/x", ["::ffff:10.0.0.7"]),
    ("https://hooks.example.org/x", ["100.64.0.1"]),
    ("https://hooks.example.org/x", ["0.0.0.0"]),
    ("https://hooks.example.org/x", [PUBLIC, "10.0.0.7"]),  # one bad address is enough
    ("https://hooks.example.org/x", []),
    ("http://hooks.example.org/x", [PUBLIC]),
    ("ftp://hooks.example.org/x", [PUBLIC]),
    ("https://user:pw@hooks.example.org/x", [PUBLIC]),
])
def test_refused_endpoints(url, addresses):
    assert endpoint_problem(url, addresses, allow_loopback=False)


def test_a_public_https_endpoint_is_fine_and_loopback_only_when_allowed():
    assert endpoint_problem("https://hooks.example.org/x", [PUBLIC], allow_loopback=False) is None
    assert endpoint_problem("http://127.0.0.1:8001/hooks/a", ["127.0.0.1"], allow_loopback=True) is None
    assert endpoint_problem("http://127.0.0.1:8001/hooks/a", ["127.0.0.1"], allow_loopback=False)
    assert endpoint_problem("http://hooks.example.org/x", [PUBLIC], allow_loopback=True)  # still https
    assert endpoint_problem("https://hooks.example.org/x", ["10.0.0.7"], allow_loopback=True)


def test_prod_never_allows_loopback_even_if_asked():
    def settings(stage):
        return Settings(stage=stage, cases_table="t", idempotency_table="i", attachments_bucket="b",
                        allow_loopback_webhooks=True)
    with pytest.raises(UnsafeEndpoint):
        HttpWebhookSender.for_settings(settings("prod")).check("http://127.0.0.1:8001/hooks/a")
    HttpWebhookSender.for_settings(settings("local")).check("http://127.0.0.1:8001/hooks/a")


def test_a_name_that_now_resolves_inside_is_refused_at_send_time_without_connecting():
    answers = iter([[PUBLIC], ["10.0.0.7"]])  # DNS rebinding: public at registration, internal now
    sender = HttpWebhookSender(resolve=lambda host, port: next(answers))
    sender.check("https://hooks.example.org/x")
    result = sender.post("https://hooks.example.org/x", {}, "{}")
    assert result.status is None and "10.0.0.7" in (result.error or "")


class Receiver(BaseHTTPRequestHandler):
    replies: ClassVar[dict[str, tuple[int, dict[str, str]]]] = {
        "/ok": (204, {}), "/busy": (503, {"Retry-After": "120"}), "/gone": (410, {}),
        "/moved": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}),
    }
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        status, headers = self.replies[self.path]
        self.send_response(status)
        for name, value in {**headers, "Content-Length": "0"}.items():
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_sender_posts_the_body_and_reports_status_latency_and_retry_after(receiver):
    sender = HttpWebhookSender(allow_loopback=True)
    ok = sender.post(f"{receiver}/ok", {"webhook-id": "msg_1"}, '{"a": 1}')
    assert ok.ok and ok.latency_ms > 0 and Receiver.bodies[-1] == b'{"a": 1}'
    busy = sender.post(f"{receiver}/busy", {}, "{}")
    assert (busy.status, busy.retry_after, busy.ok) == (503, "120", False)
    assert sender.post(f"{receiver}/gone", {}, "{}").status == 410
    moved = sender.post(f"{receiver}/moved", {}, "{}")
    assert moved.status == 302 and not moved.ok  # a redirect is a failure, never followed


def test_without_allow_loopback_the_sender_refuses_the_local_receiver(receiver):
    count = len(Receiver.bodies)
    result = HttpWebhookSender().post(f"{receiver}/ok", {}, "{}")
    assert result.status is None and result.error and len(Receiver.bodies) == count


def test_rotation_signs_with_both_secrets_until_the_overlap_ends():
    old, new, newer = generate_secret(), generate_secret(), generate_secret()
    endpoint = ExecutorEndpoint("adm_nevsky", "https://hooks.example.org/x", (old,))
    rotated = endpoint.rotated(new, T0, timedelta(hours=24))
    assert rotated.signing_secrets(T0) == (new, old)
    assert rotated.signing_secrets(T0 + timedelta(hours=24)) == (new,)
    again = rotated.rotated(newer, T0 + timedelta(hours=1), timedelta(hours=24))
    assert again.signing_secrets(T0 + timedelta(hours=1)) == (newer, new)  # never more than two
    assert endpoint.rotated(new, T0, timedelta(0)).signing_secrets(T0) == (new,)
