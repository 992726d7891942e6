"""Dagster asset checks from the stages' GX suites, blocking SQL gates and warnings.

A blocking check that fails stops every asset downstream of it, so nothing is
published from data that failed a gate. Each outcome is also written to the
run's HTML validation report.
"""

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from pipeline.quality.gx_duckdb import SuiteOutcome, validate
from pipeline.quality.policy import QualityPolicy
from pipeline.quality.report import write_report
from pipeline.quality.suites import Suite, SuiteContext
from pipeline.registry.rule import SelectionRule, YearRule
from pipeline.runtime.partitions import fiscal_year_partitions
from pipeline.runtime.release_folders import draft_folder_path
from pipeline.runtime.resources import DataFolders
from pipeline.warehouse.connection import Warehouse, fetch_records, fetch_rows, run_sql
from pipeline.warehouse.versions import mark_checked

EXAMPLES = 5


@dataclass(frozen=True)
class CheckInputs:
    fiscal_year: int
    rule: dict[str, Any]
    policy: QualityPolicy
    publication: Path
    # The quarantine tolerance each kind was staged under (exact text, e.g. '0.01').
    tolerance: dict[str, str] = field(default_factory=dict)

    def tolerance_millionths(self, kind: str) -> int:
        return YearRule(quarantine_tolerance=self.tolerance[kind]).tolerance_millionths


@dataclass(frozen=True)
class SqlCheck:
    """A check whose SQL (<stage>/sql/checks/<name>.sql) returns the offending rows; none = pass."""

    name: str
    asset: str
    description: str
    blocking: bool = True
    params: Callable[[CheckInputs], dict[str, Any]] = field(default=lambda _: {})
    # Says what the offending rows mean; by default, how many there are.
    explain: Callable[[list[dict[str, Any]], CheckInputs], str] | None = None


def _inputs(context, con, quality: QualityPolicy, folders: DataFolders) -> CheckInputs:
    fiscal_year = int(context.partition_key)
    recorded = fetch_rows(con, "selection_rule", fiscal_year=fiscal_year)
    # Fields a rule recorded before them lacks take their defaults, for every check and suite.
    rule = {**SelectionRule().model_dump(), **json.loads(recorded[0][0])} if recorded else {}
    publication = draft_folder_path(folders.marts, fiscal_year, context.run.run_id)
    tolerance = dict(fetch_rows(con, "quarantine_tolerances", fiscal_year=fiscal_year))
    return CheckInputs(fiscal_year, rule, quality, publication, tolerance)


def _json_safe(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@dataclass(frozen=True)
class Verdict:
    """One check's outcome, as recorded for the validation report."""

    asset: str
    check_name: str
    blocking: bool
    passed: bool
    summary: str
    details: Any


def _record(context, con, folders: DataFolders, inputs: CheckInputs, verdict: Verdict) -> Path:
    """Keep the verdict in the warehouse and rewrite the run's report with it."""
    run_sql(
        con,
        "record_check_result",
        fiscal_year=inputs.fiscal_year,
        run_id=context.run.run_id,
        asset=verdict.asset,
        check_name=verdict.check_name,
        blocking=verdict.blocking,
        passed=verdict.passed,
        summary=verdict.summary,
        details=json.dumps(verdict.details, ensure_ascii=False, default=str),
    )
    return write_report(con, folders.marts, inputs.fiscal_year, context.run.run_id)


def _summary(check: SqlCheck, rows: list[dict[str, Any]], inputs: CheckInputs) -> str:
    if not rows:
        return f"{check.description}: passed"
    if check.explain:
        return f"{check.description}: {check.explain(rows, inputs)}"
    return f"{check.description}: {len(rows):,} offending row(s)"


def run_sql_check(
    context, check: SqlCheck, warehouse: Warehouse, quality: QualityPolicy, folders: DataFolders
) -> dg.AssetCheckResult:
    """Run one SQL gate and turn its offending rows into a check result."""
    with warehouse.connect() as con:
        inputs = _inputs(context, con, quality, folders)
        rows = fetch_records(
            con, f"checks/{check.name}", fiscal_year=inputs.fiscal_year, **check.params(inputs)
        )
        examples = [{c: _json_safe(v) for c, v in row.items()} for row in rows[:EXAMPLES]]
        verdict = Verdict(
            check.asset, check.name, check.blocking, not rows, _summary(check, rows, inputs), examples
        )
        report = _record(context, con, folders, inputs, verdict)
    return dg.AssetCheckResult(
        asset_key=check.asset,
        check_name=check.name,
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.ERROR if check.blocking else dg.AssetCheckSeverity.WARN,
        description=verdict.summary,
        metadata={
            "offending rows": len(rows),
            "examples": dg.MetadataValue.json(examples),
            "validation report": dg.MetadataValue.path(str(report)),
        },
    )


def _suite_metadata(outcome: SuiteOutcome, report: Path) -> dict[str, Any]:
    table = "\n".join(
        [
            "| expectation | arguments | passed | observed | unexpected | examples |",
            "|---|---|---|---|---|---|",
        ]
        + [
            f"| {o.expectation} | {json.dumps(o.arguments, ensure_ascii=False)[:120]} | "
            f"{'✅' if o.success else '❌'} | {o.observed_value if o.observed_value is not None else ''} | "
            f"{o.unexpected_count if o.unexpected_count is not None else ''} | "
            f"{json.dumps(o.examples, ensure_ascii=False, default=str)[:120]} |"
            for o in outcome.outcomes
        ]
    )
    return {
        "expectations": len(outcome.outcomes),
        "failed expectations": len(outcome.failures),
        "results": dg.MetadataValue.md(table),
        "validation report": dg.MetadataValue.path(str(report)),
    }


def run_suite_check(
    context, suite: Suite, warehouse: Warehouse, quality: QualityPolicy, folders: DataFolders
) -> dg.AssetCheckResult:
    """Validate a stage with its GX suite, pushed down to DuckDB."""
    with warehouse.connect() as con:
        inputs = _inputs(context, con, quality, folders)
    suite_context = SuiteContext(inputs.fiscal_year, inputs.rule, str(inputs.publication))
    outcome = validate(
        Path(warehouse.path),
        suite.name,
        suite.query(suite_context),
        suite.expectations(suite_context),
        connection=warehouse.held_connection,
    )
    failures = "; ".join(o.summary() for o in outcome.failures)
    summary = f"GX suite {suite.name}: " + (
        f"{len(outcome.outcomes)} expectations passed" if outcome.success else f"failed: {failures}"
    )
    verdict = Verdict(
        suite.asset,
        f"gx_{suite.name}",
        True,
        outcome.success,
        summary,
        [o.__dict__ for o in outcome.outcomes],
    )
    with warehouse.connect() as con:
        report = _record(context, con, folders, inputs, verdict)
    return dg.AssetCheckResult(
        asset_key=suite.asset,
        check_name=f"gx_{suite.name}",
        passed=outcome.success,
        description=summary[:2000],
        metadata=_suite_metadata(outcome, report),
    )


def _checks_of(asset: str, suites: list[Suite], sql_checks: list[SqlCheck]) -> dg.AssetChecksDefinition:
    """Every check of one asset in one step: its GX suite, then its SQL gates and warnings.
    One step per asset keeps Dagster's per-step cost off the critical path."""
    specs = [
        dg.AssetCheckSpec(
            f"gx_{suite.name}",
            asset=asset,
            blocking=True,
            description=f"Great Expectations suite: {suite.description}",
            partitions_def=fiscal_year_partitions,
        )
        for suite in suites
    ] + [
        dg.AssetCheckSpec(
            check.name,
            asset=asset,
            blocking=check.blocking,
            description=check.description,
            partitions_def=fiscal_year_partitions,
        )
        for check in sql_checks
    ]

    @dg.multi_asset_check(specs=specs, name=f"{asset}_checks")
    def _checks(
        context: dg.AssetCheckExecutionContext,
        warehouse: Warehouse,
        quality: QualityPolicy,
        folders: DataFolders,
    ):
        results = [run_suite_check(context, suite, warehouse, quality, folders) for suite in suites]
        results += [run_sql_check(context, check, warehouse, quality, folders) for check in sql_checks]
        yield from results
        blocking = {check.name for check in sql_checks if check.blocking} | {f"gx_{s.name}" for s in suites}
        if all(r.passed for r in results if r.check_name in blocking):
            # Only now may a later run take this version as done: its gates held on it.
            with warehouse.connect() as con:
                mark_checked(con, int(context.partition_key), asset)

    return _checks


# Partitioned asset checks are a Dagster 1.13 preview feature (see the README); say it once there,
# not on every load.
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")


def asset_checks(
    suites: tuple[Suite, ...], sql_checks: tuple[SqlCheck, ...]
) -> list[dg.AssetChecksDefinition]:
    """One check step per guarded asset, from the stages' suites and SQL checks."""
    guarded = dict.fromkeys([s.asset for s in suites] + [c.asset for c in sql_checks])
    return [
        _checks_of(
            asset, [s for s in suites if s.asset == asset], [c for c in sql_checks if c.asset == asset]
        )
        for asset in guarded
    ]


def guarded_assets(suites: tuple[Suite, ...], sql_checks: tuple[SqlCheck, ...]) -> frozenset[str]:
    """Assets with blocking checks: a version of theirs counts as done only once they passed on it.
    The charts are checked by their own asset (it marks itself checked)."""
    return frozenset([*(s.asset for s in suites), *(c.asset for c in sql_checks), "prefecture_charts"])
