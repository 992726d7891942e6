"""`python bench/register.py` (the second step of `make bench`) runs end to end on a small
register and prints its figures. No timing assertions: the figure belongs in docs/register.md."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl

from pipeline.settings import PROJECT_ROOT

ROWS = 2_000


def test_the_register_benchmark_reads_and_reconciles_a_small_register(tmp_path):
    raw = tmp_path / "raw"
    sample = [sys.executable, "-m", "pipeline", "sample", "--size", "tiny", "--format", "parquet"]
    made = subprocess.run(
        [*sample, "--out", str(raw)], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr
    firms = raw / "2025" / "firms.parquet"
    cmd = [sys.executable, "bench/register.py", "--firms", str(firms), "--rows", str(ROWS)]
    cmd += ["--cache", str(tmp_path / "cache")]
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    numbered = pl.read_parquet(firms).filter(pl.col("corporate_number").is_not_null()).height
    assert figures["register_rows"] == ROWS
    matches = figures["matches"]
    assert matches["firms"] == numbered  # every staged firm with a 法人番号 is reconciled
    assert matches["found"] + matches["not_found"] + matches["deleted"] == numbered
    assert matches["closed_before_year_end"] >= 1 and matches["prefecture_differs"] >= 1
    assert figures["read_and_reconcile_s"] > 0 and figures["zip_bytes"] > 0
