"""Shared test helpers: write contract input files, run the real pipeline, read its outputs."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import anyio._core._fileio  # noqa: F401  (see below)
import dagster as dg
import duckdb
import pytest

from pipeline.cli import failure_reason, run_config
from pipeline.definitions import JOB_NAME, build_definitions, resources_from
from pipeline.reference.contract import FIRMS, TRANSACTIONS
from pipeline.reference.corporate_number import with_check_digit
from pipeline.registry.rule import YearRule
from pipeline.registry.store import Registry
from pipeline.runtime.partitions import fiscal_year_partitions
from pipeline.settings import PROJECT_ROOT, Paths
from pipeline.stages.catalog import ASSET_CHECKS, ASSETS
from pipeline.warehouse.connection import fetch_records
from pipeline.warehouse.versions import PARENTS, PUBLISHED_TOGETHER

YEAR = "2025"


def cn(n: int) -> str:
    """A valid 法人番号 numbered n."""
    return with_check_digit(f"{n:012d}")


def firm(n: int, prefecture: str = "13", sales: int = 5_000_000_000, employees: int = 100, **extra) -> dict:
    """One firms row with sensible defaults."""
    row = {
        "corporate_number": cn(n),
        "name": f"株式会社テスト{n}",
        "prefecture_code": prefecture,
        "jsic_division": "E",
        "sales_jpy": sales,
        "employees": employees,
        "capital_jpy": "",
        "export_sales_jpy": "",
    }
    row.update(extra)
    return row


def sale(supplier: int, customer: int, amount: int) -> dict:
    """One transactions row between numbered firms."""
    return {
        "supplier_corporate_number": cn(supplier),
        "customer_corporate_number": cn(customer),
        "amount_jpy": amount,
    }


def write_csv(path: Path, columns, rows, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_inputs(raw_dir: Path, firms, transactions, year: str = YEAR, encoding: str = "utf-8") -> Path:
    folder = raw_dir / year
    write_csv(folder / "firms.csv", FIRMS.columns, firms, encoding)
    write_csv(folder / "transactions.csv", TRANSACTIONS.columns, transactions, encoding)
    return folder


@dataclass
class PipelineRun:
    paths: Paths
    result: dg.ExecuteInProcessResult
    year: str

    @property
    def success(self) -> bool:
        return self.result.success

    @property
    def failure(self) -> str:
        return failure_reason(self.result)

    @property
    def published(self) -> Path:
        return self.paths.marts_dir / self.year

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.paths.duckdb_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def parquet(self, name: str) -> list[dict]:
        with duckdb.connect() as con:
            rel = con.execute("select * from read_parquet(?)", [str(self.published / f"{name}.parquet")])
            columns = [d[0] for d in rel.description]
            return [dict(zip(columns, row, strict=True)) for row in rel.fetchall()]

    def records(self, name: str) -> list[dict]:
        """The rows of the SQL file `name` (pipeline/queries.py) over this run's warehouse: for the
        publication's queries (published_firm_degrees, national_candidates, candidate_changes, ...)
        the rows a publication copies into its files, without a publication."""
        with duckdb.connect(str(self.paths.duckdb_path), read_only=True) as con:
            return fetch_records(con, name, fiscal_year=int(self.year))  # the warehouse holds the macros


def paths_under(root: Path) -> Paths:
    """The pipeline's folders inside a test's temporary folder."""
    return Paths(
        raw_dir=root / "raw",
        marts_dir=root / "marts",
        duckdb_path=root / "warehouse.duckdb",
        dagster_home=root / "dagster",
        registry_path=root / "registry.sqlite3",
    )


def cli_env(paths: Paths) -> dict[str, str]:
    """The environment that points the command line at `paths`."""
    return {
        **os.environ,
        "DATA_RAW_DIR": str(paths.raw_dir),
        "DATA_MARTS_DIR": str(paths.marts_dir),
        "DUCKDB_PATH": str(paths.duckdb_path),
        "DAGSTER_HOME": str(paths.dagster_home),
        "REGISTRY_PATH": str(paths.registry_path),
    }


def cli(paths: Paths, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run `python -m pipeline <args>` in a real subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=PROJECT_ROOT,
        env=cli_env(paths),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# What `Pipeline.run_stages` materialises: every asset of a year's job but the publication's, no checks.
WAREHOUSE_STAGES = (
    dg.AssetSelection.assets(*(asset for asset in PARENTS if asset not in PUBLISHED_TOGETHER))
    .required_multi_asset_neighbors()
    .without_checks()
)


class Pipeline:
    """The real pipeline over a temporary data folder, with an ephemeral Dagster instance."""

    def __init__(self, root: Path):
        self.paths = paths_under(root)
        self.paths.raw_dir.mkdir(parents=True, exist_ok=True)
        self.instance = dg.DagsterInstance.ephemeral()

    def write(self, firms, transactions, year: str = YEAR, encoding: str = "utf-8") -> Path:
        return write_inputs(self.paths.raw_dir, firms, transactions, year, encoding)

    def copy(self, root: Path) -> Pipeline:
        """This pipeline's folders (inputs, warehouse, registry, releases) copied into `root`, with
        an instance of its own: for a test that changes what a run shared by its module left."""
        shutil.copytree(self.paths.raw_dir.parent, root, symlinks=True, dirs_exist_ok=True)
        return Pipeline(root)

    def run(
        self,
        year: str = YEAR,
        rule: dict | None = None,
        tolerance: float | None = None,
        amounts: dict | None = None,
    ) -> PipelineRun:
        """Record this rule (the defaults where not given) as the year's rule, then run every asset."""
        if _running_a_fast_test:
            pytest.fail("a test not marked slow ran the whole pipeline: mark it @pytest.mark.slow")
        self.set_rule(year, rule, tolerance, amounts)
        self.instance.add_dynamic_partitions(fiscal_year_partitions.name, [year])
        job = build_definitions(self.paths).resolve_job_def(JOB_NAME)
        result = job.execute_in_process(
            partition_key=year,
            instance=self.instance,
            run_config=run_config(log_level="WARNING"),
            raise_on_error=False,
        )
        return PipelineRun(self.paths, result, year)

    def run_stages(
        self,
        year: str = YEAR,
        rule: dict | None = None,
        tolerance: float | None = None,
        amounts: dict | None = None,
    ) -> PipelineRun:
        """Record the rule as `run` does, then materialise every asset of the warehouse (ingest to
        candidate selection and KPIs) with `dg.materialize`, without their checks and without the
        publication: the real assets and SQL on a tiny DuckDB in about two seconds, where a whole
        run (its GX suites, 47 charts, the release) costs twenty. Read the results with `records`."""
        self.set_rule(year, rule, tolerance, amounts)
        self.instance.add_dynamic_partitions(fiscal_year_partitions.name, [year])
        result = dg.materialize(
            [*ASSETS, *ASSET_CHECKS],
            selection=WAREHOUSE_STAGES,
            instance=self.instance,
            resources=resources_from(self.paths),
            partition_key=year,
            run_config=run_config(log_level="WARNING"),
            raise_on_error=False,
        )
        return PipelineRun(self.paths, result, year)

    def set_rule(
        self,
        year: str = YEAR,
        rule: dict | None = None,
        tolerance: float | str | None = None,
        amounts: dict | None = None,
    ) -> YearRule:
        wanted = YearRule(
            selection=rule or {},
            amounts=amounts or {},
            quarantine_tolerance=str(tolerance) if tolerance is not None else "0.01",
        )
        Registry(self.paths.registry_path).change_rule(int(year), wanted, "test")
        return wanted


def edit_csv(path: Path, edit) -> None:
    """Rewrite a UTF-8 sample CSV through `edit(rows) -> rows`, its columns kept."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(edit(rows))


@pytest.fixture
def pipeline(tmp_path: Path) -> Pipeline:
    return Pipeline(tmp_path)


# anyio is a pytest plugin, so pytest rewrites its modules on import; anyio imports its file
# module lazily, inside the thread a TestClient serves a FileResponse from, and a parse there
# racing the main thread's trips CPython 3.11's "AST constructor recursion depth mismatch".
# It is imported above, once, in the main thread.


# The modules whose tests work on single SQL files, modules or small DuckDB fixtures (the stages
# materialised without checks or publication: Pipeline.run_stages): `make test-fast` runs these.
# Every other module (whole pipeline runs, the portal, a browser, LibreOffice, a wheel build) is
# marked slow, as is each test of a fast module that runs the whole job (see below); `make test`
# runs everything, as CI does.
FAST_MODULES = frozenset(
    {
        "tests.bench.test_register_bench",
        "tests.test_amount_estimation",
        "tests.test_bad_input_catalogue",
        "tests.test_candidate_changes",
        "tests.test_charts",
        "tests.test_composite_score",
        "tests.test_corporate_number",
        "tests.test_degrees",
        "tests.test_indicators",
        "tests.test_instance",
        "tests.test_ingest",
        "tests.test_layout",
        "tests.test_sample",
        "tests.test_size_classes",
        "tests.test_warehouse",
        "tests.test_warehouse_schema",
        "tests.quality.test_gx_duckdb",
        "tests.quality.test_lazy_modules",
        "tests.register.test_register_policy",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module.__name__ not in FAST_MODULES:
            item.add_marker(pytest.mark.slow)


# A test of a fast module that runs the whole job (Pipeline.run) carries @pytest.mark.slow itself;
# one that does not fails, so that `make test-fast` never runs the whole pipeline unawares.
_running_a_fast_test = False


def pytest_runtest_setup(item: pytest.Item) -> None:
    global _running_a_fast_test
    _running_a_fast_test = item.get_closest_marker("slow") is None
