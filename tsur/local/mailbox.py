"""The local stack's mailbox: the letters the app sent through (moto's) SES, readable in a browser.

moto runs in this process, so its SES backend's sent messages can be read directly.
  GET /           a Russian HTML page, newest first
  GET /messages   the same as JSON (`?to=` filters by recipient)
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends


def sent_messages(region: str, to: str | None = None) -> list[dict[str, Any]]:
    backend = ses_backends[DEFAULT_ACCOUNT_ID][region]
    letters = [{"id": m.id, "from": m.source, "to": m.destinations.get("ToAddresses", []),
                "subject": m.subject, "body": m.body} for m in backend.sent_messages if hasattr(m, "subject")]
    return [m for m in reversed(letters) if to is None or to in m["to"]]


def render(letters: list[dict[str, Any]]) -> str:
    items = "".join(
        f"<article><h2>{html.escape(m['subject'])}</h2><p>Кому: {html.escape(', '.join(m['to']))}</p>"
        f"<pre>{html.escape(m['body'])}</pre></article>" for m in letters) or "<p>Писем пока нет.</p>"
    return ("<!doctype html><html lang='ru'><meta charset='utf-8'><title>Почта ЦУР (локально)</title>"
            "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
            "article{border-bottom:1px solid #ccc;padding:1rem 0}pre{white-space:pre-wrap}</style>"
            f"<h1>Письма заявителям (SES, локально)</h1>{items}</html>")


class MailboxServer:
    def __init__(self, region: str, host: str, port: int) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                to = parse_qs(url.query).get("to", [None])[0]
                if url.path == "/messages":
                    self._send(json.dumps(sent_messages(outer.region, to), ensure_ascii=False), "application/json")
                elif url.path == "/":
                    self._send(render(sent_messages(outer.region, to)), "text/html; charset=utf-8")
                else:
                    self.send_error(404)

            def _send(self, body: str, content_type: str) -> None:
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.region = region
        self._server = ThreadingHTTPServer((host, port), Handler)
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="mailbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
