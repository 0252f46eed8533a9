"""Measures one model in a fresh process pinned to one core: `python -m tsur.classification.bench_worker MODEL DATA`.

Prints one JSON line. Like a new Lambda container: the app's own modules are imported first (they do
not import numpy), then the first classification imports numpy, loads the model and classifies;
that is the cold figure. Then classifications per second over the test month: a first pass with
cold stem caches, then warm passes. Every duration is CPU time of this one-threaded process, so other
work on the machine does not skew it (on an idle core wall time is the same). Peak memory is VmHWM,
which, unlike ru_maxrss, is not inherited from the parent process.
"""

from __future__ import annotations

import time

clock = time.process_time

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from chalicelib.domain.text_model import TextModel

MIN_SECONDS = 3.0
PROBE = "Во дворе дома не вывозят мусор, контейнеры переполнены"


def _memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _per_cpu_second(classify: Callable[[str], object], texts: list[str], minimum: float) -> float:
    done, started = 0, clock()
    while True:
        for text in texts:
            classify(text)
        done += len(texts)
        elapsed = clock() - started
        if elapsed >= minimum:
            return done / elapsed


def _load(model_path: str) -> TextModel:
    from chalicelib.domain.text_model import TextModel  # numpy comes with it, as in the app

    return TextModel.load(model_path)


def main(model_path: str, data_path: str) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from chalicelib import reference
    from chalicelib.domain.classifier import ModelClassifier

    classifier = ModelClassifier(reference.rubricator(), lambda: _load(model_path))
    app_ready, rss_before = clock(), _memory_mb("VmRSS")
    classifier.classify(PROBE)
    first, rss_first = clock(), _memory_mb("VmHWM")
    reloaded = ModelClassifier(reference.rubricator(), lambda: _load(model_path))
    reloaded.classify(PROBE)
    load_again = clock() - first
    del reloaded

    from tsur.classification.evaluation import is_test
    from tsur.shared_data import read_appeals

    texts = [r["text"] for r in read_appeals(Path(data_path)) if is_test(r)]
    cold = _per_cpu_second(classifier.classify, texts, 0.0)  # one pass: every new word is stemmed once
    warm = _per_cpu_second(classifier.classify, texts, MIN_SECONDS)
    print(json.dumps({
        "texts": len(texts), "per_second_cold_cache": round(cold), "per_second": round(warm),
        "first_ms": round((first - app_ready) * 1000, 1),
        "first_ms_fresh_process": round(first * 1000, 1),  # CPU time since the process started
        "load_and_first_ms_numpy_imported": round(load_again * 1000, 1),
        "peak_rss_mb": round(_memory_mb("VmHWM"), 1),
        "peak_rss_first_mb": round(rss_first, 1),
        "rss_before_model_mb": round(rss_before, 1),
        "artifact_mb": round(Path(model_path).stat().st_size / 1e6, 2),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
