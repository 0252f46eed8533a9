"""Resolving `/<site>/...` request paths to files under web/<site>/, safely."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# mimetypes follows the host's tables, which differ between machines; pin the ones the sites use.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
    ".woff2": "font/woff2",
}


@dataclass(frozen=True)
class StaticMatch:
    """`file` is set when the path names a servable file; `redirect` when a folder lacks its slash."""

    file: Path | None = None
    redirect: str | None = None
    refused: bool = False

    @property
    def missing(self) -> bool:
        return self.file is None and self.redirect is None and not self.refused


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class StaticSites:
    """The folders of `web_root`, each served under its own name: web/admin/ → /admin/."""

    def __init__(self, web_root: Path) -> None:
        self.root = web_root.resolve()

    def site_names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def match(self, request_path: str) -> StaticMatch | None:
        """None when the path is not under a site (it belongs to the API)."""
        raw_path = urlsplit(request_path).path
        path = unquote(raw_path)
        parts = path.split("/")
        if len(parts) < 2 or parts[1] not in self.site_names():
            return None
        if len(parts) == 2:
            return StaticMatch(redirect=f"{raw_path}/")
        rest = [p for p in parts[2:] if p]
        if any(p in (".", "..") or "\\" in p or "\0" in p for p in rest):
            return StaticMatch(refused=True)
        site = (self.root / parts[1]).resolve()
        target = site.joinpath(*rest).resolve()
        if not target.is_relative_to(site):  # e.g. a symlink pointing out of the site
            return StaticMatch(refused=True)
        if target.is_dir():
            if not path.endswith("/"):
                return StaticMatch(redirect=f"{raw_path}/")
            target = target / "index.html"
        return StaticMatch(file=target if target.is_file() else None)
