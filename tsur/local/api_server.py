"""The HTTP API through Chalice's own local gateway, plus the web/ sites, on one port."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from chalice import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    RouteMatcher,
)

from chalicelib.observability import safe_request_line
from tsur.local.rate_limit import FrontLimits
from tsur.local.runtime import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, log
from tsur.local.static_files import StaticMatch, StaticSites, content_type

NOT_FOUND = "Не найдено / Not found\n".encode()


class SiteAwareRequestHandler(ChaliceRequestHandler):
    """Serves GET/HEAD under a web/ site from disk; everything else goes to the Chalice app, within the
    rate limits that WAF and API Gateway apply in AWS (`limits`; None: unlimited)."""

    sites: StaticSites
    routes: RouteMatcher
    limits: FrontLimits | None = None

    def _generic_handle(self) -> None:
        match = self.sites.match(self.path)
        if match is None or (match.missing and self._is_api_route()):
            self._call_api()
        elif self.command not in ("GET", "HEAD"):
            self._send_plain(405, "Метод не поддерживается / Method not allowed\n".encode(),
                             {"Allow": "GET, HEAD"})
        else:
            self._serve_static(match)

    # BaseHTTPRequestHandler dispatches through these names, bound to the base implementation.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def _call_api(self) -> None:
        refused = self.limits.check(self.client_address[0], self.path) if self.limits else None
        if refused is None:
            super()._generic_handle()
        else:
            self._send_plain(refused.status, refused.body, refused.headers)

    def _is_api_route(self) -> bool:
        try:
            self.routes.match_route(self.path)
        except ValueError:
            return False
        return True

    def _serve_static(self, match: StaticMatch) -> None:
        if match.redirect is not None:
            self._send_plain(301, b"", {"Location": match.redirect})
        elif match.refused:
            self._send_plain(403, "Запрещено / Forbidden\n".encode())
        elif match.file is None:
            self._send_plain(404, NOT_FOUND)
        else:
            body = match.file.read_bytes()
            self._send_plain(200, body, {"Content-Type": content_type(match.file), "Cache-Control": "no-cache"})

    def _send_plain(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        merged = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
        for name, value in merged.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """The access log: never a tracking token or key from the query, never a raw control character."""
        log.info("api %s", safe_request_line(format % args))


def local_config(stage: str) -> Config:
    return Config.create(chalice_stage=stage, app_name="tsur", lambda_timeout=DEFAULT_TIMEOUT_S,
                         lambda_memory_size=DEFAULT_MEMORY_MB)


def make_api_server(app: Chalice, web_root: Path, host: str, port: int, stage: str = "local",
                    limits: FrontLimits | None = None) -> LocalDevServer:
    """Bind host:port now (so a busy port fails at start); serve once `serve_in_thread` is called."""
    if not isinstance(app, LocalChalice):
        # What chalice.local.create_local_server does: a thread-local `current_request`.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    handler = type("Handler", (SiteAwareRequestHandler,), {
        "sites": StaticSites(web_root), "routes": RouteMatcher(list(app.routes)), "limits": limits})
    return LocalDevServer(app, local_config(stage), host, port, handler_cls=handler)


def serve_in_thread(server: LocalDevServer) -> threading.Thread:
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="api-server", daemon=True)
    thread.start()
    return thread


def stop_server(server: LocalDevServer, thread: threading.Thread) -> None:
    server.shutdown()
    thread.join(timeout=5)
    server.server.server_close()
