"""Measures one model in a fresh process pinned to one core: `python -m tsur.classification.bench_worker MODEL DATA`.

Prints one JSON line: load + first classification (with and without the imports), classifications
per second over the test month (first pass with cold stem caches, then warm), peak memory. Nothing
is imported before the clock starts, so the cold figure is what a new Lambda container pays.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

MIN_SECONDS = 3.0
PROBE = "Во дворе дома не вывозят мусор, контейнеры переполнены"


def _memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process; unlike ru_maxrss, not inherited from the parent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _per_second(classify: Callable[[str], object], texts: list[str], minimum: float) -> float:
    done, started = 0, time.perf_counter()
    while True:
        for text in texts:
            classify(text)
        done += len(texts)
        elapsed = time.perf_counter() - started
        if elapsed >= minimum:
            return done / elapsed


def main(model_path: str, data_path: str) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from chalicelib import reference
    from chalicelib.domain.classifier import ModelClassifier
    from chalicelib.domain.text_model import TextModel

    imported = time.perf_counter()
    rss_before = _memory_mb("VmRSS")
    classifier = ModelClassifier(reference.rubricator(), lambda: TextModel.load(model_path))
    assert classifier.model.labels  # loads it
    loaded_at = time.perf_counter()
    classifier.classify(PROBE)
    first = time.perf_counter()

    from tsur.classification.evaluation import is_test
    from tsur.shared_data import read_appeals

    texts = [r["text"] for r in read_appeals(Path(data_path)) if is_test(r)]
    cold = _per_second(classifier.classify, texts, 0.0)  # one pass: every new word is stemmed once
    warm = _per_second(classifier.classify, texts, MIN_SECONDS)
    print(json.dumps({
        "texts": len(texts), "per_second_cold_cache": round(cold), "per_second": round(warm),
        "first_ms_with_imports": round((first - STARTED) * 1000, 1),
        "first_ms_model_only": round((first - imported) * 1000, 1),
        "load_ms": round((loaded_at - imported) * 1000, 1),
        "peak_rss_mb": round(_memory_mb("VmHWM"), 1),
        "rss_before_model_mb": round(rss_before, 1),
        "artifact_mb": round(Path(model_path).stat().st_size / 1e6, 2),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
