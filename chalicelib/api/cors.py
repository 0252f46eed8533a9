"""CORS for the widget and the tracking page: only the configured origins (CORS_ORIGINS).

Chalice's own CORSConfig allows one fixed origin; agencies embed the widget on several sites, so the
allowed origin is echoed per request instead, and preflight requests are answered by an OPTIONS route
on each public path.
"""

from __future__ import annotations

from collections.abc import Iterable

ALLOWED_HEADERS = "Content-Type, Idempotency-Key, X-Tracking-Token"
ALLOWED_METHODS = "GET, POST, OPTIONS"
PUBLIC_PATHS = (
    "/v1/sectors", "/v1/municipalities", "/v1/appeals", "/v1/appeals/{case_id}", "/v1/uploads",
    "/v1/appeals/{case_id}/rating", "/v1/appeals/{case_id}/reopen", "/v1/appeals/{case_id}/clarification",
)


def cors_headers(origin: str | None, allowed: Iterable[str]) -> dict[str, str]:
    """The headers that let `origin` read the answer, or none when it is not allowed."""
    if not origin or origin not in set(allowed):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": ALLOWED_HEADERS, "Access-Control-Max-Age": "600", "Vary": "Origin"}
