"""CORS: the widget's and tracking page's origins (CORS_ORIGINS) on the public paths, the admin page's
origin (ADMIN_ORIGINS) on the operators' paths; any other origin gets no CORS headers at all.

Chalice's own CORSConfig allows one fixed origin; agencies embed the widget on several sites, so the
allowed origin is echoed per request instead, and preflight requests are answered by an OPTIONS route
on each path a browser calls cross-origin (`preflight_paths`).
"""

from __future__ import annotations

from collections.abc import Iterable

PUBLIC_HEADERS = "Content-Type, Idempotency-Key, X-Tracking-Token"
ADMIN_HEADERS = "Authorization, Content-Type"
ALLOWED_METHODS = "GET, POST, OPTIONS"
PUBLIC_PATHS = (
    "/v1/sectors", "/v1/municipalities", "/v1/districts", "/v1/appeals", "/v1/appeals/{case_id}", "/v1/uploads",
    "/v1/appeals/{case_id}/rating", "/v1/appeals/{case_id}/reopen", "/v1/appeals/{case_id}/clarification",
)
ADMIN_PREFIXES = ("/v1/admin/", "/v1/auth/")


def is_admin_path(path: str) -> bool:
    return path.startswith(ADMIN_PREFIXES)


def preflight_paths(routes: Iterable[str]) -> list[str]:
    """The public paths and every operators' path among `routes` (Chalice's `app.routes`)."""
    return [*PUBLIC_PATHS, *sorted(p for p in routes if is_admin_path(p))]


def cors_headers(origin: str | None, path: str, widget_origins: Iterable[str],
                 admin_origins: Iterable[str]) -> dict[str, str]:
    """The headers that let `origin` read the answer on `path`, or none when it is not allowed there."""
    admin = is_admin_path(path)
    if not origin or origin not in set(admin_origins if admin else widget_origins):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": ADMIN_HEADERS if admin else PUBLIC_HEADERS,
            "Access-Control-Max-Age": "600", "Vary": "Origin"}
