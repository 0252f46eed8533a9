"""A demo executor agency: receives the pipeline's signed webhooks and shows what arrived.

`AgencyReceiver` holds the logic (usable in-process from tests); `AgencyServer` puts it on a port:
  POST /hooks/<executor_id>   204 signed correctly · 401 bad signature · 404 unknown executor
  POST /connectors/<network>  the same for a social-media connector's replies (listed as `connector:<network>`)
  GET  /deliveries[?executor_id=…]   JSON list of what was received
  GET  /                      a small HTML page with the same list
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from chalicelib.domain.social import CONNECTOR_PREFIX
from chalicelib.webhooks import SignatureError, verify
from tsur.local.runtime import log

HOOK_PREFIX = "/hooks/"
CONNECTOR_PATH_PREFIX = "/connectors/"  # a social-media connector: what a real VK poster would publish


def webhook_target(path: str) -> str | None:
    """`/hooks/<executor>` → the executor; `/connectors/<network>` → `connector:<network>`; else None."""
    for prefix, target_prefix in ((HOOK_PREFIX, ""), (CONNECTOR_PATH_PREFIX, CONNECTOR_PREFIX)):
        rest = path[len(prefix):]
        if path.startswith(prefix) and rest and "/" not in rest:
            return target_prefix + rest
    return None


@dataclass(frozen=True)
class Delivery:
    executor_id: str
    webhook_id: str
    received_at: str
    verified: bool
    body: Any


class AgencyReceiver:
    """Verifies Standard Webhooks signatures per executor and keeps each verified webhook-id once."""

    def __init__(self, secrets: Mapping[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = dict(secrets or {})
        self._deliveries: list[Delivery] = []
        self._seen_ids: set[str] = set()
        self.duplicates = 0

    def set_secrets(self, secrets: Mapping[str, str]) -> None:
        with self._lock:
            self._secrets = dict(secrets)

    def receive(self, executor_id: str, headers: Mapping[str, str], body: bytes) -> int:
        """Handle one POST; returns the HTTP status to answer with."""
        with self._lock:
            secret = self._secrets.get(executor_id)
        if secret is None:
            return 404
        text = body.decode("utf-8", errors="replace")
        webhook_id = {k.lower(): v for k, v in headers.items()}.get("webhook-id", "")
        try:
            verify(secret, headers, text)
        except SignatureError as exc:
            log.warning("agency: webhook %s for %s rejected: %s", webhook_id, executor_id, exc)
            self._record(Delivery(executor_id, webhook_id, _now(), False, _parse(text)))
            return 401
        with self._lock:
            if webhook_id in self._seen_ids:
                self.duplicates += 1
                return 204
            self._seen_ids.add(webhook_id)
        self._record(Delivery(executor_id, webhook_id, _now(), True, _parse(text)))
        log.info("agency: webhook %s delivered to %s", webhook_id, executor_id)
        return 204

    def _record(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries.append(delivery)

    def deliveries(self, executor_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self._deliveries)
        return [asdict(d) for d in items if executor_id is None or d.executor_id == executor_id]

    def summary(self) -> dict[str, int]:
        with self._lock:
            verified = sum(1 for d in self._deliveries if d.verified)
            return {"delivered": verified, "rejected": len(self._deliveries) - verified,
                    "duplicates": self.duplicates}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def render_page(receiver: AgencyReceiver) -> str:
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>".format(
            html.escape(d["received_at"]), html.escape(d["executor_id"]), html.escape(d["webhook_id"]),
            "да" if d["verified"] else "нет",
            html.escape(json.dumps(d["body"], ensure_ascii=False, indent=1)))
        for d in reversed(receiver.deliveries()))
    counts = receiver.summary()
    return (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Демо-исполнитель</title>'
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px;"
        "vertical-align:top}table{border-collapse:collapse}pre{margin:0;white-space:pre-wrap}</style>"
        "</head><body><h1>Демо-исполнитель: полученные уведомления</h1>"
        f"<p>Принято: {counts['delivered']}, отклонено (неверная подпись): {counts['rejected']}, "
        f"повторов: {counts['duplicates']}. Обновите страницу, чтобы увидеть новые.</p>"
        "<table><tr><th>Получено</th><th>Исполнитель</th><th>webhook-id</th><th>Подпись верна</th>"
        f"<th>Содержимое</th></tr>{rows}</table></body></html>"
    )


class AgencyRequestHandler(BaseHTTPRequestHandler):
    receiver: AgencyReceiver
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        target = webhook_target(path)
        if target is None:
            self._send(404, b"")
            return
        status = self.receiver.receive(target, dict(self.headers.items()), body)
        self._send(status, b"")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/deliveries":
            executor_id = parse_qs(url.query).get("executor_id", [None])[0]
            payload = json.dumps(self.receiver.deliveries(executor_id), ensure_ascii=False).encode()
            self._send(200, payload, "application/json")
        elif url.path == "/":
            self._send(200, render_page(self.receiver).encode(), "text/html; charset=utf-8")
        else:
            self._send(404, b"")

    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 204:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Deliveries are logged by the receiver; per-request lines would only repeat them."""


class AgencyServer:
    def __init__(self, receiver: AgencyReceiver, host: str, port: int) -> None:
        handler = type("Handler", (AgencyRequestHandler,), {"receiver": receiver})
        self.receiver = receiver
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="demo-agency", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()
