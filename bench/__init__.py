"""The benchmark: the pipeline against the one-query floor and a pandas script.

`python -m bench` (bench/__main__.py) prepares the data and runs everything; this module
holds how a child process is measured and the Markdown report of the results.

The launching process imports nothing beyond the standard library: Linux charges the
parent's peak RSS to a child it starts with vfork (as `subprocess` does), so a light
parent keeps each child's `ru_maxrss` its own.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = "2025"
TOLERANCE = 1e-9  # largest |difference| of a degree between implementations that agree


class BenchError(RuntimeError):
    """A measured or helper process failed."""


@dataclass(frozen=True)
class Measurement:
    """One child process: wall seconds, CPU seconds (user + sys) and peak RSS in bytes."""

    wall: float
    cpu: float
    rss: int


def measure(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> Measurement:
    """Run `cmd` from the repository root, output to `log`; wall time, and CPU and RSS from wait4."""
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise BenchError(f"{' '.join(cmd)} exited {process.returncode}; {log}:\n{tail}")
    return Measurement(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def call_child(task: str, *args: str) -> object:
    """Run a helper job in a child (`python -m bench _child TASK ...`) and return its JSON answer."""
    cmd = [sys.executable, "-m", "bench", "_child", task, *args]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"bench helper {task} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


@dataclass(frozen=True)
class PipelineRun:
    """(a) on one dataset: the forced full run, the re-run (if any), and where it wrote."""

    full: Measurement
    rerun: Measurement | None
    rerun_idle: bool  # the re-run said that nothing was recomputed
    dagster_home: Path
    degrees: Path  # its firm_degrees.parquet


@dataclass(frozen=True)
class Results:
    """Everything the report shows."""

    size: str
    firms: int
    transactions: int
    input_bytes: dict[str, int]  # by input format
    floor: Measurement
    pandas: Measurement
    pipeline: dict[str, PipelineRun]  # by input format, Parquet first
    stages: dict[str, list[dict]]  # by input format: the steps of its Dagster run
    agreement: dict[str, dict]  # "CSV" (a), "floor" (b), "pandas" (c) against (a) from Parquet
    scaling: list[tuple[int, Measurement]]  # (transactions, (a) from Parquet), smallest first
    sample: Measurement | None = None  # the fixed cost: `run --force` on make run's CSV sample
    sample_firms: int = 0
    sample_steps: list[dict] | None = None


def _machine() -> str:
    kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    cpu = f" ({model.group(1).strip()})" if model else ""
    return f"{os.cpu_count()} cores{cpu}, {kib * 1024 / 1e9:.1f} GB RAM ({kib / 2**20:.1f} GiB)"


def _software() -> str:
    packages = ("dagster", "duckdb", "great-expectations", "pandas", "pyarrow")
    return ", ".join(
        [f"Python {platform.python_version()}"] + [f"{p} {importlib.metadata.version(p)}" for p in packages]
    )


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = git("status", "--porcelain", "--", "pipeline", "assets", "sql", "bench")
    return (git("rev-parse", "--short", "HEAD") or "unknown") + (" (uncommitted changes)" if dirty else "")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    """A Markdown table, numbers right-aligned, and a blank line."""
    lines = [header, ["---"] + ["---:"] * (len(header) - 1), *rows]
    return ["| " + " | ".join(str(cell) for cell in line) + " |" for line in lines] + [""]


def _numbers(m: Measurement) -> list[str]:
    return [f"{m.wall:.2f}", f"{m.cpu:.2f}", f"{m.rss / 1e9:.2f}"]


def _x(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "∞"


def _diff(answer: dict) -> str:
    if math.isinf(answer["max_abs_diff"]):
        return f"DISAGREE: {answer['missing']} firms missing, {answer['null_mismatches']} nulls differ"
    return f"{answer['max_abs_diff']:.1e}"


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _implementations(r: Results) -> list[str]:
    pq, csv = r.pipeline["Parquet"], r.pipeline["CSV"]
    rows = [
        ["(a) pipeline from Parquet, every stage and check (`run --force`)", *_numbers(pq.full), "reference"],
        [
            "(a) pipeline from CSV, every stage and check (`run --force`)",
            *_numbers(csv.full),
            _diff(r.agreement["CSV"]),
        ],
    ]
    for fmt, run in r.pipeline.items():
        if run.rerun is not None:
            done = "nothing recomputed" if run.rerun_idle else "RECOMPUTED"
            rows.append([f"(a) re-run, unchanged {fmt} inputs (`run`: {done})", *_numbers(run.rerun), "—"])
    rows.append(
        [
            "(b) floor: one DuckDB statement (`bench/floor.sql`)",
            *_numbers(r.floor),
            _diff(r.agreement["floor"]),
        ]
    )
    rows.append(
        ["(c) pandas script (`bench/pandas_degrees.py`)", *_numbers(r.pandas), _diff(r.agreement["pandas"])]
    )
    return _table(
        ["implementation", "wall s", "CPU s", "peak RSS GB", "max \\|Δ degree\\| vs (a) Parquet"], rows
    )


def _stages(r: Results) -> list[str]:
    """Seconds per stage, its asset step and its check steps apart; then totals and the rest."""
    seconds: dict[tuple[str, str, str], float] = {}
    for fmt, steps in r.stages.items():
        for step in steps:
            key = (fmt, step["kind"], step["stage"])
            seconds[key] = seconds.get(key, 0.0) + step["seconds"]
    columns = [(fmt, kind) for fmt in r.stages for kind in ("asset", "check")]
    stages = dict.fromkeys(s["stage"] for steps in r.stages.values() for s in steps if s["kind"] == "asset")
    rows = [[f"`{stage}`", *(f"{seconds.get((*c, stage), 0.0):.2f}" for c in columns)] for stage in stages]
    total = {c: sum(v for key, v in seconds.items() if key[:2] == c) for c in columns}
    rows.append(["**all asset steps, all check steps**", *(f"{total[c]:.2f}" for c in columns)])
    wall = {fmt: r.pipeline[fmt].full.wall for fmt in r.stages}
    rest = {fmt: wall[fmt] - total[(fmt, "asset")] - total[(fmt, "check")] for fmt in r.stages}
    rows.append(
        [
            "outside the steps: start-up, imports, planning, Dagster",
            *(f"{rest[f]:.2f}" if k == "asset" else "" for f, k in columns),
        ]
    )
    rows.append(["**whole run, wall**", *(f"{wall[f]:.2f}" if k == "asset" else "" for f, k in columns)])
    return _table(
        [
            "stage (Dagster asset step)",
            *(f"{f} {'asset' if k == 'asset' else 'checks'} s" for f, k in columns),
        ],
        rows,
    )


def _fixed_cost(r: Results) -> list[str]:
    """The sample run's wall time split into its asset steps, its check steps and the rest."""
    steps = r.sample_steps or []
    asset = sum(s["seconds"] for s in steps if s["kind"] == "asset")
    check = sum(s["seconds"] for s in steps if s["kind"] == "check")
    slowest = sorted(steps, key=lambda s: -s["seconds"])[:5]
    rows = [
        ["whole run, wall", f"{r.sample.wall:.2f}"],
        ["CPU (user + sys)", f"{r.sample.cpu:.2f}"],
        [f"{sum(s['kind'] == 'asset' for s in steps)} asset steps", f"{asset:.2f}"],
        [f"{sum(s['kind'] == 'check' for s in steps)} check steps", f"{check:.2f}"],
        ["outside the steps: start-up, imports, planning, Dagster", f"{r.sample.wall - asset - check:.2f}"],
        *([f"slowest step: `{s['step']}`", f"{s['seconds']:.2f}"] for s in slowest),
    ]
    return _table(["part", "s"], rows)


def _ratios(r: Results) -> list[str]:
    pq, csv = r.pipeline["Parquet"], r.pipeline["CSV"]
    pairs = [
        ("(a) from Parquet / (b) floor", pq.full, r.floor),
        ("(a) from CSV / (b) floor", csv.full, r.floor),
        ("(c) pandas / (a) from Parquet", r.pandas, pq.full),
    ]
    pairs += [(f"re-run / (a), {fmt}", run.rerun, run.full) for fmt, run in r.pipeline.items() if run.rerun]
    return _table(
        ["ratio", "wall", "CPU"], [[label, _x(a.wall, b.wall), _x(a.cpu, b.cpu)] for label, a, b in pairs]
    )


def _scaling(r: Results) -> list[str]:
    rows = [[f"{r.scaling[0][0]:,}", *_numbers(r.scaling[0][1]), "", ""]]
    rows += [
        [f"{n:,}", *_numbers(m), _x(m.wall, before.wall), _x(n, k)]
        for (k, before), (n, m) in pairwise(r.scaling)
    ]
    return _table(
        ["transactions", "wall s", "CPU s", "peak RSS GB", "time × previous", "transactions × previous"], rows
    )


def targets(r: Results) -> list[tuple[str, str, bool | None]]:
    """The targets and the agreement: what, the measured value, met (None: not measured)."""
    pq, csv = r.pipeline["Parquet"], r.pipeline["CSV"]
    rss = max(m.rss for m in [pq.full, csv.full, *(m for _, m in r.scaling)]) / 1e9
    doubling = max((b.wall / a.wall for (_, a), (_, b) in pairwise(r.scaling)), default=None)
    rerun = max(run.rerun.wall / run.full.wall for run in (pq, csv))
    idle = pq.rerun_idle and csv.rerun_idle
    worst = max(answer["max_abs_diff"] for answer in r.agreement.values())
    return [
        (
            "pipeline from Parquet ≤ 2× the floor",
            _x(pq.full.wall, r.floor.wall),
            pq.full.wall <= 2 * r.floor.wall,
        ),
        (
            "pipeline from CSV ≤ 3× the floor",
            _x(csv.full.wall, r.floor.wall),
            csv.full.wall <= 3 * r.floor.wall,
        ),
        ("pipeline peak RSS ≤ 4 GB", f"{rss:.2f} GB", rss <= 4),
        (
            "pipeline ≥ 3× faster than pandas",
            _x(r.pandas.wall, pq.full.wall),
            r.pandas.wall >= 3 * pq.full.wall,
        ),
        (
            "doubling the transactions ≤ 2.2× the time",
            "—" if doubling is None else f"{doubling:.2f}× at most",
            None if doubling is None else doubling <= 2.2,
        ),
        (
            "re-run with unchanged inputs ≤ 10% of a full run, recomputing nothing",
            f"{rerun:.1%} at most" + ("" if idle else ", recomputed"),
            rerun <= 0.10 and idle,
        ),
        (
            "the sample run (`make run`'s data, after install) ≤ 6 s",
            "—" if r.sample is None else f"{r.sample.wall:.2f} s",
            None if r.sample is None else r.sample.wall <= 6,
        ),
        (
            "(a) from CSV, (b) and (c) give the degrees of (a) from Parquet to 1e-9",
            f"{worst:.1e}",
            worst <= TOLERANCE,
        ),
    ]


METHOD = """\
Each implementation runs in a fresh child process of a launcher that imports only the standard
library: wall time is measured around the child; CPU time (user + sys) and peak RSS (`ru_maxrss`)
come from `os.wait4`. Every pipeline run gets its own fresh data folder, warehouse and Dagster
instance; the re-run repeats `python -m pipeline run` on the same folders. Stage times run from
STEP_START to STEP_SUCCESS in the run's Dagster event log, a check step counted under the stage
whose asset it checks. All implementations read the same files, generated once into `bench/cache/`
and read once before timing (warm page cache). A scaling point takes the first N transaction rows
with every firm; the largest is the whole sample, that is the (a) from Parquet run above.
"""


def render(r: Results) -> str:
    """The Markdown report."""
    verdict = {True: "met", False: "**not met**", None: "not measured"}
    sizes = ", ".join(f"{fmt} {_megabytes(n)}" for fmt, n in r.input_bytes.items())
    data = f"size `{r.size}`, fiscal year {YEAR}: {r.firms:,} firms, {r.transactions:,} transactions"
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench --size national`); rerun it when the pipeline changes.",
        "",
        f"- Machine: {_machine()}",
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; code: git {_commit()}",
        f"- Software: {_software()}",
        f"- Data: {data} ({sizes})",
        "",
        "## Implementations",
        "",
        *_implementations(r),
        "## Pipeline stages, (a)",
        "",
        *_stages(r),
        "## Ratios",
        "",
        *_ratios(r),
    ]
    if r.scaling:
        lines += ["## Scaling of (a) from Parquet", "", *_scaling(r)]
    if r.sample is not None:
        title = f"## The fixed cost of a run: the sample ({r.sample_firms:,} firms, CSV, `run --force`)"
        lines += [title, "", *_fixed_cost(r)]
    lines += ["## Targets", ""]
    lines += _table(
        ["target", "measured", "verdict"], [[what, value, verdict[ok]] for what, value, ok in targets(r)]
    )
    if r.size != "national":
        lines += [f"The targets are for the national sample; at `{r.size}` size start-up costs dominate.", ""]
    return "\n".join([*lines, "## Method", "", METHOD])
