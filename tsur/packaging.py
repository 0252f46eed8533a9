"""What `chalice package` reads, copied out of the work tree, so packaging leaves no build leftovers."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_project(repo: Path, dest: Path) -> None:
    """app.py, requirements.txt, chalicelib/, .chalice/ and infra/, without caches and deployments."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "deployments", "venv")
    for name in ("app.py", "requirements.txt"):
        shutil.copy2(repo / name, dest / name)
    for name in ("chalicelib", ".chalice", "infra"):
        shutil.copytree(repo / name, dest / name, ignore=ignore)
