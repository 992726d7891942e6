"""`python bench/register.py` (the second step of `make bench`) runs end to end on a small
register, prints its figures and writes them into a report. No timing assertions: the figure
belongs in BENCHMARKS.md."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import duckdb
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
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\n## Targets\n\nx\n\n## Method\n\ny\n", encoding="utf-8")
    cmd += ["--cache", str(tmp_path / "cache"), "--out", str(report)]
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
    # The register holds 法人番号 only: no 個人 of the sample (null numbers) made it into a file.
    [folder] = (tmp_path / "cache").glob("houjin-*")
    unicode_files = [str(p) for p in _unzipped(folder, tmp_path / "csv") if int(p.name[:2]) % 2 == 0]
    with duckdb.connect() as con:
        bad = con.execute(
            "select count(*) from read_csv(?, header = false, all_varchar = true) "
            "where not regexp_full_match(column01, '[0-9]{13}')",
            [unicode_files],
        ).fetchone()[0]
    assert bad == 0
    # The section goes into the report before its Method, once, however often it is written.
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    text = report.read_text(encoding="utf-8")
    assert text.count("## The 国税庁 register") == 1
    assert text.index("## Targets") < text.index("## The 国税庁 register") < text.index("## Method")
    assert (
        f"| register rows (NTA layout, zipped per prefecture, odd prefectures Shift_JIS) | {ROWS:,} |" in text
    )
    assert text.endswith("## Method\n\ny\n")


def _unzipped(folder, target):
    target.mkdir()
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            z.extractall(target)
    return sorted(target.glob("*.csv"))
