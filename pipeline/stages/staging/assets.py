"""Staging: every raw row is either staged (normalised and typed) or quarantined with one reason.

The checks and their order are contract §2; they live in firm_checks.sql and
transaction_checks.sql. Rows read = rows staged + rows quarantined, always.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg
import duckdb

from pipeline.reference.contract import FIRMS, TRANSACTIONS, InputSpec
from pipeline.registry.amounts import AmountRule
from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import markdown_table, report, yen
from pipeline.runtime.resources import RecordedRules
from pipeline.stages.ingest.assets import raw_table
from pipeline.stages.register.load import NO_REGISTER, RegisterNotChecked, no_register_for, usable_register
from pipeline.stages.staging.amount_estimates import estimate_summary
from pipeline.warehouse.connection import (
    Warehouse,
    fetch_rows,
    partition_total,
    replace_partition,
    run_sql,
    transaction,
)
from pipeline.warehouse.versions import PARENTS, code_version, record_versions


@dataclass(frozen=True)
class StagingOutcome:
    source_file: str
    rows_read: int
    staged: int
    quarantined: int
    by_reason: list[tuple[str, int, int]]
    versions: dict[str, dg.DataVersion]

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.staged + self.quarantined


def stage(
    con: duckdb.DuckDBPyConnection,
    spec: InputSpec,
    fiscal_year: int,
    checks: str,
    checked_table: str,
    quarantine_table: str,
    tolerance: str,
    later_checks: tuple[str, ...] = (),
    params: Mapping[str, Any] | None = None,
) -> StagingOutcome:
    """Check every raw row of a file once: the checked table keeps every row with its reason
    (the staged view shows those without one), and the quarantine gets the raw values.
    `later_checks` are SQL statements run in order in the same transaction: more reasons among
    the rows still unmarked, then any fill-in and records; `params` are their parameters. The
    quarantine tolerance its gate will apply and both assets' versions are recorded with them."""
    rows = fetch_rows(con, "input_file", fiscal_year=fiscal_year, kind=spec.kind)
    if not rows:
        raise dg.Failure(f"no raw {spec.kind} file was ingested for {fiscal_year}")
    source_file, _, rows_read = rows[0]
    con.execute(
        f"create or replace temp view raw_{spec.kind} as select * from {raw_table(spec, fiscal_year)}"
    )
    with transaction(con):
        replace_partition(con, checked_table, checks, fiscal_year, source_file=source_file, **(params or {}))
        for later in later_checks:
            run_sql(con, later, fiscal_year=fiscal_year, **(params or {}))
        quarantined = replace_partition(
            con, quarantine_table, quarantine_table, fiscal_year, source_file=source_file
        )
        con.execute(
            "delete from quarantine_tolerances where fiscal_year = ? and kind = ?", [fiscal_year, spec.kind]
        )
        run_sql(
            con, "record_quarantine_tolerance", fiscal_year=fiscal_year, kind=spec.kind, tolerance=tolerance
        )
        versions = record_versions(con, fiscal_year, f"staged_{spec.kind}", quarantine_table)
    staged = fetch_rows(con, "staged_rows", table=checked_table, fiscal_year=fiscal_year)[0][0]
    by_reason = fetch_rows(con, "quarantine_by_reason", table=quarantine_table, fiscal_year=fiscal_year)
    return StagingOutcome(source_file, rows_read, staged, quarantined, by_reason, versions)


def _results(
    context: dg.AssetExecutionContext,
    outcome: StagingOutcome,
    staged_key: str,
    quarantine_key: str,
    staged_yen: tuple[str, int],
    staged_metadata: Mapping[str, Any] | None = None,
    note: str = "",
):
    if not outcome.reconciles:
        raise dg.Failure(
            f"{outcome.source_file}: rows do not reconcile: read {outcome.rows_read:,} ≠ "
            f"staged {outcome.staged:,} + quarantined {outcome.quarantined:,}"
        )
    reasons = ", ".join(f"{reason} {rows:,}" for reason, rows, _ in outcome.by_reason) or "none"
    report(
        context,
        f"{staged_key:<20} {outcome.staged:,} staged, {outcome.quarantined:,} quarantined ({reasons}){note}",
    )
    reason_table = markdown_table(
        ("reason", "rows", "yen"),
        [(reason, rows, yen(amount)) for reason, rows, amount in outcome.by_reason],
        right=2,
    )
    yield dg.MaterializeResult(
        asset_key=staged_key,
        metadata={
            "dagster/row_count": outcome.staged,
            "dagster/table_name": staged_key,
            "source_file": outcome.source_file,
            "rows read": outcome.rows_read,
            "rows quarantined": outcome.quarantined,
            staged_yen[0]: dg.MetadataValue.text(yen(staged_yen[1])),
            **(staged_metadata or {}),
        },
        data_version=outcome.versions[staged_key],
    )
    yield dg.MaterializeResult(
        asset_key=quarantine_key,
        metadata={
            "dagster/row_count": outcome.quarantined,
            "dagster/table_name": quarantine_key,
            "source_file": outcome.source_file,
            "quarantined rows by reason": dg.MetadataValue.md(reason_table),
            "quarantined yen": dg.MetadataValue.text(yen(sum(a or 0 for _, _, a in outcome.by_reason))),
        },
        data_version=outcome.versions[quarantine_key],
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "staged_firms",
            code_version=code_version("staged_firms"),
            # The register gives the head offices under register_policy register_prefecture.
            deps=[*PARENTS["staged_firms"], "corporate_register"],
            group_name="staging",
            kinds={"duckdb"},
            description="Firms that pass every contract check, normalised: 13-digit 法人番号, "
            "prefecture code '01'–'47', JSIC letter, integer yen.",
        ),
        dg.AssetSpec(
            "quarantined_firms",
            code_version=code_version("quarantined_firms"),
            deps=PARENTS["quarantined_firms"],
            group_name="staging",
            kinds={"duckdb"},
            description="Firm rows that fail a contract check, each with its one reason and raw values.",
        ),
    ],
    partitions_def=fiscal_year_partitions,
)
def stage_firms(context: dg.AssetExecutionContext, rules: RecordedRules, warehouse: Warehouse):
    """Split the raw firms into staged firms and quarantined rows (contract §2). Under
    register_policy register_prefecture a staged firm takes the 国税庁 register's head-office
    prefecture where the file's differs (register_prefectures.sql)."""
    fiscal_year = fiscal_year_of(context)
    rule = rules.rule_of(fiscal_year)
    with warehouse.connect() as con:
        later, params = ("forget_prefecture_source",), {}
        if rule.selection.uses_register_prefecture:
            later += ("register_prefectures", "record_prefecture_source")
            params = {"register_version": _checked_register(con, fiscal_year)}
        outcome = stage(
            con,
            FIRMS,
            fiscal_year,
            "firm_checks",
            "checked_firms",
            "quarantined_firms",
            rule.quarantine_tolerance,
            later_checks=later,
            params=params,
        )
        total_sales = partition_total(con, "staged_firms", "sales_jpy", fiscal_year)
        names, lines = fetch_rows(con, "replaced_name_controls", fiscal_year=fiscal_year)[0]
        moved = fetch_rows(con, "register_prefecture_moves", fiscal_year=fiscal_year)[0][0]
    replaced = ""
    if names:
        more = ", …" if names > len(lines) else ""
        replaced = f"{names:,} (lines {', '.join(map(str, lines))}{more})"
    yield from _results(
        context,
        outcome,
        "staged_firms",
        "quarantined_firms",
        ("sales total", total_sales),
        {
            "names with control characters, each replaced by a space": replaced or "none",
            "head offices": "the 国税庁 register's where the file's differs"
            if rule.selection.uses_register_prefecture
            else "the firms file's",
            "firms staged in the register's prefecture": moved,
        },
        note=(f"; names with control characters replaced by spaces: {replaced}" if names else "")
        + (f"; {moved:,} in the register's prefecture" if moved else ""),
    )


def _checked_register(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> str:
    """The version of the register staging takes head offices from: held and checked."""
    try:
        version, _ = usable_register(con)
    except RegisterNotChecked as error:
        raise dg.Failure(description=str(error)) from None
    if version == NO_REGISTER:
        raise dg.Failure(description=no_register_for(fiscal_year, "register_prefecture"))
    return version


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "staged_transactions",
            code_version=code_version("staged_transactions"),
            deps=PARENTS["staged_transactions"],
            group_name="staging",
            kinds={"duckdb"},
            description="Transactions between two staged firms of the year, with a positive "
            "amount, no repeats and no conflicting amounts; each carries both prefectures.",
        ),
        dg.AssetSpec(
            "quarantined_transactions",
            code_version=code_version("quarantined_transactions"),
            deps=PARENTS["quarantined_transactions"],
            group_name="staging",
            kinds={"duckdb"},
            description="Transaction rows that fail a contract check, each with its one reason "
            "and raw values.",
        ),
    ],
    partitions_def=fiscal_year_partitions,
)
def stage_transactions(context: dg.AssetExecutionContext, rules: RecordedRules, warehouse: Warehouse):
    """Split the raw transactions into staged transactions and quarantined rows (contract §2).
    With amount_mode 'estimate', a row without an amount is staged and its amount
    estimated from the firms' sizes (estimate_amounts.sql), flagged amount_estimated. The
    amount rule is the year's rule in force."""
    fiscal_year = fiscal_year_of(context)
    rule = rules.rule_of(fiscal_year)
    config = rule.amounts
    later = ("transaction_repeats", "estimate_amounts") if config.estimating else ("transaction_repeats",)
    with warehouse.connect() as con:
        outcome = stage(
            con,
            TRANSACTIONS,
            fiscal_year,
            "transaction_checks",
            "checked_transactions",
            "quarantined_transactions",
            rule.quarantine_tolerance,
            later_checks=(*later, "forget_amount_rule", "record_amount_rule"),
            params={
                "estimate_amounts": config.estimating,
                "estimate_beta": config.estimate_beta,
                "amount_rule": config.as_json(),
            },
        )
        total = partition_total(con, "checked_transactions", "amount_jpy", fiscal_year, staged=True)
        estimates = _estimate_metadata(con, fiscal_year, config)
    yield from _results(
        context,
        outcome,
        "staged_transactions",
        "quarantined_transactions",
        ("amount total", total),
        estimates,
    )


def _estimate_metadata(
    con: duckdb.DuckDBPyConnection, fiscal_year: int, config: AmountRule
) -> dict[str, Any]:
    """The amount rule in force and, when estimating, what the estimate did."""
    metadata: dict[str, Any] = {"amount rule": config.describe()}
    if not config.estimating:
        return metadata
    summary = estimate_summary(con, fiscal_year)
    estimated, staged = summary["estimated_jpy"], summary["staged_jpy"]
    share = f"{estimated / staged:.2%}" if staged else "—"
    metadata.update(
        {
            "estimated rows": summary["estimated_rows"],
            "estimated yen": dg.MetadataValue.text(f"{yen(estimated)} ({share} of staged yen)"),
            "suppliers with estimates": summary["suppliers_estimated"],
            "suppliers whose stated amounts leave nothing to apportion": summary[
                "suppliers_without_remainder"
            ],
            "estimates of 0 yen": summary["zero_yen_estimates"],
        }
    )
    return metadata
