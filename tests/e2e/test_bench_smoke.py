"""`tsur bench pipeline` end to end on 20 synthetic appeals (a separate process: the local stack it starts
changes the process's AWS environment). Only that it runs and reports; the figures are the bench's job."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.e2e.conftest import TSUR

pytestmark = pytest.mark.e2e


def test_the_pipeline_bench_delivers_every_appeal_and_ends_with_its_json_line(tmp_path):
    done = subprocess.run([TSUR, "bench", "pipeline", "--appeals", "20", "--synthetic", "--timeout", "240"],
                          capture_output=True, text=True, timeout=290, cwd=tmp_path, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["appeals"] == 20 and figures["errors"] == 0
    assert figures["aws_requests_per_appeal"] > 0 and figures["wcu_per_appeal"] > 0 and figures["rcu_per_appeal"] > 0
    assert figures["usd_per_million_appeals"] > 0
    assert figures["latency_p99_s"] is not None, "no appeal reached its executor"
    assert "dynamodb.TransactWriteItems" in done.stdout


def test_without_the_data_set_the_bench_skips_with_a_clear_message(tmp_path):
    done = subprocess.run([TSUR, "bench", "pipeline"], capture_output=True, text=True, timeout=60, check=True,
                          env={"PATH": "/usr/bin:/bin", "TSUR_DATA_DIR": str(tmp_path)})
    assert "skipped" in done.stdout and "absent" in done.stdout


def test_the_deadline_bench_prints_only_its_figures_on_stdout(tmp_path):
    done = subprocess.run([TSUR, "bench", "deadlines", "--open", "30", "--open", "60", "--due", "4"],
                          capture_output=True, text=True, timeout=180, cwd=tmp_path, check=True)
    line, = done.stdout.strip().splitlines()  # no log line of the app's around it
    figures = json.loads(line)
    assert (figures["open"], figures["due"]) == ([30, 60], 4)
    assert figures["items_read"][0] == figures["items_read"][1] > 0
    assert "deadline stage taken" in done.stderr  # the app's structured logs moved, not lost
