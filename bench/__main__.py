"""`python -m bench --size tiny|sample|national [--out FILE] [--cache DIR] [--no-scaling]`.

1. Generates the seeded sample once, as Parquet and as CSV (the same data), into
   `<cache>/<size>/{parquet,csv}/<year>/`, and for the scaling runs the first N transaction
   rows of the Parquet sample with all its firms (`parquet-<N>/`). A `.complete` marker,
   written after a successful generation, means a folder is reused.
2. Runs, each in a fresh child process: (b) the floor, bench/floor.sql; (c) the pandas
   script, bench/pandas_degrees.py; (a) the full pipeline (`python -m pipeline run --force`)
   from Parquet and from CSV, each in a fresh data folder, then a re-run with unchanged
   inputs; (a) at four transaction counts (two at the smaller sizes); and (a) on `make run`'s
   sample, for the fixed cost of a run (at a smaller size, that size's CSV run).
3. Checks that (a) from CSV, (b) and (c) give the degrees of (a) from Parquet, and prints
   the report (bench/__init__.py), writing it to BENCHMARKS.md for `--size national` or to
   `--out`.

`python -m bench _child TASK ...` runs one helper job in a child of its own (see TASKS).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import ROOT, YEAR, BenchError, PipelineRun, Results, call_child, measure, render

MARKER = ".complete"
NATIONAL_SCALING = (2_500_000, 5_000_000, 10_000_000, 20_000_000)  # transactions
# Of the sample's transactions, for the smaller sizes (their time is mostly a run's fixed cost:
# the scaling that matters is the national one; two points check that the table is made).
SCALING_FRACTIONS = (2, 1)
FLOOR_SQL = Path(__file__).with_name("floor.sql")
AGREE_SQL = Path(__file__).with_name("agree.sql")
GENERATOR = ROOT / "sample_data" / "generate.py"
WARM_UP = "import pipeline.definitions, great_expectations, pandas, duckdb"


@dataclass(frozen=True)
class Dataset:
    """A cached raw folder (holding `<year>/`) and its row counts."""

    raw_dir: Path
    firms: int
    transactions: int

    def file(self, kind: str) -> str:
        return str(self.raw_dir / YEAR / f"{kind}.parquet")


def _generator_version() -> str:
    """The sample generator's code: a cached sample made by other code is made again."""
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def cached(folder: Path, make: Callable[[Path], dict[str, int]]) -> Dataset:
    """The dataset in `folder`, made by `make` (which returns its counts) unless marked complete
    by the generator's present code."""
    marker = folder / MARKER
    held = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    if held.pop("generator", None) != _generator_version():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        held = make(folder)
        marker.write_text(json.dumps({**held, "generator": _generator_version()}), encoding="utf-8")
    return Dataset(folder, **held)


def generate(size: str, fmt: str) -> Callable[[Path], dict[str, int]]:
    """A maker that writes the sample with `python -m pipeline sample` in a child."""

    def make(folder: Path) -> dict[str, int]:
        log = folder / "generate.log"
        cmd = [sys.executable, "-m", "pipeline", "sample", "--size", size, "--format", fmt]
        measure([*cmd, "--out", str(folder), "--year", YEAR], log)
        found = re.search(r"wrote ([\d,]+) firms and ([\d,]+) transactions", log.read_text(encoding="utf-8"))
        if found is None:
            raise BenchError(f"no row counts in {log}")
        firms, transactions = (int(n.replace(",", "")) for n in found.groups())
        return {"firms": firms, "transactions": transactions}

    return make


def first_rows(full: Dataset, rows: int) -> Callable[[Path], dict[str, int]]:
    """A maker that copies the firms and the first `rows` transactions of `full`."""

    def make(folder: Path) -> dict[str, int]:
        answer = call_child("subset", str(full.raw_dir / YEAR), str(folder / YEAR), str(rows))
        return {"firms": full.firms, "transactions": answer}

    return make


def scaling_sets(cache: Path, size: str, full: Dataset) -> list[Dataset]:
    """The four scaling datasets, smallest first; one as large as the sample is the sample."""
    if size == "national":
        counts = [min(n, full.transactions) for n in NATIONAL_SCALING]
    else:
        counts = [max(full.transactions // k, 1) for k in SCALING_FRACTIONS]
    return [
        full if n == full.transactions else cached(cache / f"parquet-{n}", first_rows(full, n))
        for n in counts
    ]


def run_pipeline(name: str, data: Dataset, work: Path, rerun: bool = True) -> PipelineRun:
    """`python -m pipeline run --force` into a fresh folder, then (if `rerun`) a plain re-run."""
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))
    env = os.environ | {
        "DATA_RAW_DIR": str(data.raw_dir),
        "DATA_MARTS_DIR": str(folder / "marts"),
        "DUCKDB_PATH": str(folder / "warehouse.duckdb"),
        "DAGSTER_HOME": str(folder / "dagster"),
        "REGISTRY_PATH": str(folder / "registry.sqlite3"),
    }
    cmd = [sys.executable, "-m", "pipeline", "run", "--year", YEAR]
    full = measure([*cmd, "--force"], folder / "run.log", env)
    again = measure(cmd, folder / "rerun.log", env) if rerun else None
    idle = again is not None and "nothing recomputed" in (folder / "rerun.log").read_text(encoding="utf-8")
    for warehouse in folder.glob("warehouse.duckdb*"):  # frees the disk for the next run
        if warehouse.is_dir():  # the Parquet copies of CSV inputs
            shutil.rmtree(warehouse)
        else:
            warehouse.unlink()
    shutil.rmtree(folder / "duckdb_spill", ignore_errors=True)
    return PipelineRun(
        full, again, idle, folder / "dagster", folder / "marts" / YEAR / "firm_degrees.parquet"
    )


def run_all(size: str, cache: Path, scaling: bool) -> Results:
    """Prepare the data, run every implementation, check that they agree."""
    parquet = cached(cache / "parquet", generate(size, "parquet"))
    csv = cached(cache / "csv", generate(size, "csv"))
    scaled = scaling_sets(cache, size, parquet) if scaling else []
    # The fixed cost of a run: `make run`'s own data, the 50,000-firm CSV sample (at a smaller
    # size, that size's CSV: the tests of the benchmark run it so).
    sample = cached(cache.parent / "sample-csv", generate("sample", "csv")) if size == "national" else csv
    with tempfile.TemporaryDirectory(prefix="runs-", dir=cache) as tmp:
        work = Path(tmp)
        for data in dict.fromkeys((parquet, csv, sample, *scaled)):  # into the page cache, with the libraries
            call_child("read", *map(str, (data.raw_dir / YEAR).iterdir()))
        measure([sys.executable, "-c", WARM_UP], work / "warm-up.log")
        inputs = [parquet.file("firms"), parquet.file("transactions")]
        floor_out, pandas_out = str(work / "floor.parquet"), str(work / "pandas.parquet")
        floor = measure(
            [sys.executable, "-m", "bench", "_child", "floor", *inputs, floor_out], work / "b.log"
        )
        pandas = measure([sys.executable, "-m", "bench.pandas_degrees", *inputs, pandas_out], work / "c.log")
        runs = {"Parquet": run_pipeline("parquet", parquet, work), "CSV": run_pipeline("csv", csv, work)}
        scaling_runs = [
            (d.transactions, runs["Parquet"].full if d is parquet else run_pipeline("n", d, work, False).full)
            for d in scaled
        ]
        # At a smaller size the sample is that size's CSV, whose forced run is made already.
        sample_run = runs["CSV"] if sample is csv else run_pipeline("sample", sample, work, rerun=False)
        homes = {fmt: str(run.dagster_home) for fmt, run in runs.items()}
        steps = call_child("stages", *homes.values(), str(sample_run.dagster_home))
        others = [str(runs["CSV"].degrees), floor_out, pandas_out]
        agreement = call_child("agree", str(runs["Parquet"].degrees), *others)
    return Results(
        size=size,
        firms=parquet.firms,
        transactions=parquet.transactions,
        input_bytes={"Parquet": _bytes(parquet), "CSV": _bytes(csv)},
        floor=floor,
        pandas=pandas,
        pipeline=runs,
        stages={fmt: steps[home] for fmt, home in homes.items()},
        agreement=dict(zip(("CSV", "floor", "pandas"), agreement, strict=True)),
        scaling=scaling_runs,
        sample=sample_run.full,
        sample_firms=sample.firms,
        sample_steps=steps[str(sample_run.dagster_home)],
    )


def _bytes(data: Dataset) -> int:
    return sum(f.stat().st_size for f in (data.raw_dir / YEAR).iterdir())


# Helper jobs, each run in a child of its own by `call_child` (or measured, for the floor).


def _literal(value: object) -> str:
    """A DuckDB string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def floor(firms: str, transactions: str, out: str) -> None:
    """(b): bench/floor.sql, one statement, from the two Parquet files to `out`; duckdb only."""
    import duckdb

    sql = FLOOR_SQL.read_text(encoding="utf-8")
    for name, value in (("firms", firms), ("transactions", transactions), ("out", out)):
        sql = sql.replace("{" + name + "}", _literal(value))
    with duckdb.connect() as con:
        con.execute(sql)


def subset(source: str, target: str, rows: str) -> int:
    """Copy firms.parquet and the first `rows` transaction rows from one year folder to another."""
    import duckdb

    Path(target).mkdir(parents=True)
    shutil.copyfile(Path(source) / "firms.parquet", Path(target) / "firms.parquet")
    source_file, target_file = (_literal(Path(d) / "transactions.parquet") for d in (source, target))
    with duckdb.connect(config={"preserve_insertion_order": True}) as con:
        con.execute(
            f"copy (select * from read_parquet({source_file}) limit {int(rows)}) "
            f"to {target_file} (format parquet, compression zstd)"
        )
        return con.execute(f"select count(*) from read_parquet({target_file})").fetchone()[0]


def read(*files: str) -> int:
    """Read files through once, so that every implementation finds them in the page cache."""
    total = 0
    for file in files:
        with open(file, "rb") as f:
            while chunk := f.read(1 << 24):
                total += len(chunk)
    return total


def stages(*homes: str) -> dict[str, list[dict]]:
    """Per DAGSTER_HOME, the steps of its newest run: step, kind (asset/check), stage, seconds.

    A step that materialised an asset is an asset step and its own stage; a check step
    belongs to the stage of the step that materialised the asset it checks.
    """
    import dagster as dg

    kinds = dg.DagsterEventType
    answer = {}
    for home in homes:
        instance = dg.DagsterInstance.from_config(home)
        start, end, producer, checked = {}, {}, {}, {}
        for run in instance.get_run_records(limit=1):
            for entry in instance.all_logs(run.dagster_run.run_id):
                event = entry.dagster_event
                if event is None or event.step_key is None:
                    continue
                if event.event_type == kinds.STEP_START:
                    start[event.step_key] = entry.timestamp
                elif event.event_type in (kinds.STEP_SUCCESS, kinds.STEP_FAILURE):
                    end[event.step_key] = entry.timestamp
                elif event.event_type == kinds.ASSET_MATERIALIZATION:
                    producer[event.asset_key] = event.step_key
                elif event.event_type == kinds.ASSET_CHECK_EVALUATION:
                    checked[event.step_key] = event.event_specific_data.asset_key
        assets = set(producer.values())
        answer[home] = [
            {
                "step": step,
                "kind": "asset" if step in assets else "check",
                "stage": step if step in assets else producer.get(checked.get(step), step),
                "seconds": end.get(step, began) - began,
            }
            for step, began in sorted(start.items(), key=lambda item: item[1])
        ]
    return answer


def agree(reference: str, *others: str) -> list[dict[str, float]]:
    """For each other firm-degree file against `reference`: firms on one side only, firms whose
    degree is null on one side only, and the largest |difference| of either degree (∞ if any)."""
    import duckdb

    answers = []
    with duckdb.connect() as con:
        for other in others:
            sql = AGREE_SQL.read_text(encoding="utf-8")
            sql = sql.replace("{reference}", _literal(reference)).replace("{other}", _literal(other))
            missing, nulls, diff = con.execute(sql).fetchone()
            worst = float(diff) if missing == 0 and nulls == 0 else math.inf
            answers.append({"missing": missing, "null_mismatches": nulls, "max_abs_diff": worst})
    return answers


TASKS: dict[str, Callable[..., object]] = {
    "floor": floor,
    "subset": subset,
    "read": read,
    "stages": stages,
    "agree": agree,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description="The benchmark (bench/__main__.py).")
    p.add_argument("--size", choices=("tiny", "sample", "national"), default="national")
    p.add_argument("--out", type=Path, help="write the report here (default: BENCHMARKS.md, national only)")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / "cache", help="where the samples are kept")
    p.add_argument("--scaling", action=argparse.BooleanOptionalAction, default=True, help="the scaling runs")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        print(json.dumps(TASKS[argv[1]](*argv[2:])))
        return 0
    args = parser().parse_args(argv)
    cache = args.cache.resolve() / args.size
    cache.mkdir(parents=True, exist_ok=True)
    try:
        results = run_all(args.size, cache, args.scaling)
    except BenchError as e:
        print(f"bench failed: {e}", file=sys.stderr)
        return 1
    report = render(results)
    print(report)
    out = args.out or (ROOT / "BENCHMARKS.md" if args.size == "national" else None)
    if out is not None:
        out.write_text(report, encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
