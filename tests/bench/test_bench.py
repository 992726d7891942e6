"""`python -m bench --size tiny` runs end to end and writes its report, every row of it.

No timing assertions: timings belong in the benchmark (BENCHMARKS.md), not in tests.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from pipeline.definitions import ASSETS
from pipeline.settings import PROJECT_ROOT

IMPLEMENTATIONS = [
    "(a) pipeline from Parquet, every stage and check",
    "(a) pipeline from CSV, every stage and check",
    "(a) re-run, unchanged Parquet inputs (`run`: nothing recomputed)",
    "(a) re-run, unchanged CSV inputs (`run`: nothing recomputed)",
    "(b) floor: one DuckDB statement",
    "(c) pandas script",
]
RATIOS = [
    "(a) from Parquet / (b) floor",
    "(a) from CSV / (b) floor",
    "(c) pandas / (a) from Parquet",
    "re-run / (a), Parquet",
    "re-run / (a), CSV",
]
TARGETS = [
    "pipeline from Parquet ≤ 2× the floor",
    "pipeline from CSV ≤ 3× the floor",
    "pipeline peak RSS ≤ 4 GB",
    "pipeline ≥ 3× faster than pandas",
    "doubling the transactions ≤ 2.2× the time",
    "re-run with unchanged inputs ≤ 10% of a full run",
    "the sample run (`make run`'s data, after install) ≤ 6 s",
    "(a) from CSV, (b) and (c) give the degrees of (a) from Parquet to 1e-9",
]
NUMBER = re.compile(r"^[\d,.]+×?$")


def sections(report: str) -> dict[str, list[list[str]]]:
    """The body rows of each `## section`'s table, as lists of cells."""
    tables: dict[str, list[list[str]]] = {}
    title = ""
    for line in report.splitlines():
        if line.startswith("## "):
            title = line[3:]
        elif line.startswith("| ") and not line.startswith("| ---"):
            tables.setdefault(title, []).append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return {name: rows[1:] for name, rows in tables.items()}  # without the header rows


def row(rows: list[list[str]], label: str) -> list[str]:
    found = [cells for cells in rows if cells[0].startswith(label)]
    assert len(found) == 1, f"no single row {label!r} in {[cells[0] for cells in rows]}"
    return found[0]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "BENCHMARKS.md"
    cmd = [
        sys.executable,
        "-m",
        "bench",
        "--size",
        "tiny",
        "--cache",
        str(folder / "cache"),
        "--out",
        str(out),
    ]
    # A guard against a hang, not a timing: the tiny benchmark runs the pipeline six times.
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    cache = folder / "cache" / "tiny"
    assert (cache / "parquet" / ".complete").exists() and (cache / "csv" / ".complete").exists()
    assert sorted(p.name for p in (cache / "csv" / "2025").iterdir()) == ["firms.csv", "transactions.csv"]
    assert not list(cache.glob("runs-*")), "the runs' temporary folders are removed"
    return out.read_text(encoding="utf-8")


def test_header_names_machine_date_and_data(report: str) -> None:
    assert re.search(r"^- Machine: \d+ cores.*GB RAM", report, re.M)
    assert re.search(r"^- Date: \d{4}-\d\d-\d\d", report, re.M)
    assert re.search(r"^- Data: size `tiny`, fiscal year 2025: 300 firms, [\d,]+ transactions", report, re.M)


def test_every_implementation_is_measured_and_they_agree(report: str) -> None:
    rows = sections(report)["Implementations"]
    assert len(rows) == len(IMPLEMENTATIONS)
    for label in IMPLEMENTATIONS:
        wall, cpu, rss = row(rows, label)[1:4]
        assert all(NUMBER.match(value) for value in (wall, cpu, rss)), label
    for label in IMPLEMENTATIONS[1], IMPLEMENTATIONS[4], IMPLEMENTATIONS[5]:
        assert float(row(rows, label)[4]) <= 1e-9, label


def test_every_stage_has_asset_and_check_times(report: str) -> None:
    rows = sections(report)["Pipeline stages, (a)"]
    # The register has its own job, which a run without a register's files does not start.
    for step in (asset.op.name for asset in ASSETS if asset.op.name != "corporate_register"):
        assert all(NUMBER.match(cell) for cell in row(rows, f"`{step}`")[1:]), step
    for label in ("**all asset steps, all check steps**", "outside the steps", "**whole run, wall**"):
        row(rows, label)
    assert float(row(rows, "**all asset steps")[2]) > 0  # the checks ran


def test_ratios_scaling_and_targets(report: str) -> None:
    tables = sections(report)
    for label in RATIOS:
        assert NUMBER.match(row(tables["Ratios"], label)[1]), label
    scaling = tables["Scaling of (a) from Parquet"]
    counts = [int(cells[0].replace(",", "")) for cells in scaling]
    assert len(counts) == 2 and counts == sorted(counts) and counts[-1] // 2 == counts[-2]
    verdicts = {label: row(tables["Targets"], label)[2] for label in TARGETS}
    assert set(verdicts.values()) <= {"met", "**not met**"}
    assert verdicts[TARGETS[-1]] == "met"


def test_the_fixed_cost_of_a_run_is_split_into_its_steps(report: str) -> None:
    [title] = [name for name in sections(report) if name.startswith("The fixed cost of a run")]
    rows = sections(report)[title]
    wall = float(row(rows, "whole run, wall")[1])
    parts = [float(row(rows, label)[1]) for label in ("CPU", "outside the steps")]
    steps = [float(cells[1]) for cells in rows if cells[0].endswith(("asset steps", "check steps"))]
    assert len(steps) == 2 and all(s > 0 for s in steps) and parts[0] > 0
    assert abs(sum(steps) + parts[1] - wall) < 0.02  # the parts add up to the whole
    assert len([cells for cells in rows if cells[0].startswith("slowest step")]) == 5
