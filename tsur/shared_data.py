"""Where the real appeals data set lives: ../shared/data beside the repository, or $TSUR_DATA_DIR.

The file is not ours to redistribute, so it is never copied into the repository; commands that need
it say so clearly when it is absent.
"""

from __future__ import annotations

import csv
import gzip
import os
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
APPEALS_FILE = "spb_appeals_2020-10_2021-02.csv.gz"


def data_dir() -> Path:
    return Path(os.environ.get("TSUR_DATA_DIR") or REPO_ROOT.parent / "shared" / "data")


def appeals_path() -> Path:
    return data_dir() / APPEALS_FILE


def read_appeals(path: Path | None = None) -> Iterator[dict[str, str]]:
    """Rows of the appeals file as dicts (columns: id, created, district, …, first_answer, status_last)."""
    with gzip.open(path or appeals_path(), "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)
