"""Dagster assets of the register: the register itself, and each fiscal year's reconciliation."""

from pathlib import Path

import dagster as dg

from pipeline.quality.gx_duckdb import validate
from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import report
from pipeline.stages.register.checks import QUERY, SUITE_NAME, register_expectations
from pipeline.stages.register.files import RegisterError, locate_register
from pipeline.stages.register.load import (
    NO_REGISTER,
    RegisterNotChecked,
    forget_register,
    load_register,
    mark_register_checked,
)
from pipeline.stages.register.reconcile import match_summary, reconcile
from pipeline.warehouse.connection import Warehouse, fetch_records, fetch_rows, transaction
from pipeline.warehouse.versions import PARENTS, code_version, mark_checked, record_version


class RegisterFolder(dg.ConfigurableResource):
    """HOUJIN_DIR: where the NTA's 全件 and 差分 files are; empty means no register."""

    houjin_dir: str = ""

    @property
    def folder(self) -> "Path | None":
        return Path(self.houjin_dir) if self.houjin_dir else None


@dg.asset(
    group_name="register",
    kinds={"duckdb", "csv"},
    code_version=code_version("corporate_register"),
)
def corporate_register(
    context: dg.AssetExecutionContext, register: RegisterFolder, warehouse: Warehouse
) -> dg.MaterializeResult:
    """The 国税庁 corporate register (法人番号公表サイト 基本3情報): the 全件 zips of HOUJIN_DIR
    (one per prefecture and 国外, Unicode or Shift_JIS, detected per file) with the 差分 files
    after them applied in date order; one row per number in `corporate_register`, every applied
    row in `register_rows`. Its data version is the register date and its files' SHA-256.
    Optional: without files it is empty and says "no register"."""
    try:
        files = locate_register(register.folder)
    except RegisterError as error:
        raise dg.Failure(description=f"{register.folder}: {error}") from None
    with warehouse.connect() as con:
        if files is None:
            forget_register(con)
            report(context, f"{'register':<20} no register in {register.folder}")
            return dg.MaterializeResult(
                metadata={"register": NO_REGISTER, "folder": str(register.folder)},
                data_version=dg.DataVersion(NO_REGISTER),
            )
        try:
            loaded = load_register(con, files, Path(warehouse.path).parent / "register-work")
        except RegisterError as error:
            raise dg.Failure(description=str(error)) from None
        summary = fetch_records(con, "register/register_summary")[0]
        by_prefecture = dict(fetch_rows(con, "register/register_by_prefecture"))
    report(context, f"{'register':<20} {summary['latest_rows']:,} numbers, {loaded.register_date}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": summary["rows"],
            "register date": loaded.register_date,
            "rows": summary["rows"],
            "latest rows (numbers)": summary["latest_rows"],
            "closed": summary["closed"],
            "merged (with a successor)": summary["merged"],
            "deleted (99 削除)": summary["deleted"],
            "numbers per prefecture": dg.MetadataValue.json(by_prefecture),
            "files read": dg.MetadataValue.json(loaded.files),
            "older 差分 not applied (already in the 全件 data)": dg.MetadataValue.json(
                [f.path.name for f in files.older_differences]
            ),
        },
        data_version=dg.DataVersion(loaded.version),
    )


@dg.asset_check(asset=corporate_register, name="gx_corporate_register", blocking=True)
def corporate_register_suite(warehouse: Warehouse) -> dg.AssetCheckResult:
    """Great Expectations suite: 13 digits, check digit valid, 処理区分 known, one latest row per
    number in each file. Only a register that passed is used by the reconciliation."""
    outcome = validate(
        Path(warehouse.path), SUITE_NAME, QUERY, register_expectations(), connection=warehouse.held_connection
    )
    failures = "; ".join(o.summary() for o in outcome.failures)
    if outcome.success:
        with warehouse.connect() as con:
            held = con.execute("select register_version from register_loads").fetchall()
            if held:
                mark_register_checked(con, held[0][0])
    return dg.AssetCheckResult(
        passed=outcome.success,
        description=(
            f"GX suite {SUITE_NAME}: "
            + (f"{len(outcome.outcomes)} expectations passed" if outcome.success else f"failed: {failures}")
        )[:2000],
        metadata={
            "expectations": len(outcome.outcomes),
            "failed expectations": len(outcome.failures),
            "results": dg.MetadataValue.json([o.__dict__ for o in outcome.outcomes]),
        },
    )


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="register",
    kinds={"duckdb"},
    deps=[*PARENTS["firm_register_matches"], corporate_register],
    code_version=code_version("firm_register_matches"),
)
def firm_register_matches(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Each staged firm of the year against the register: found / not found (or deleted),
    closed before the fiscal year's end (date, cause), merged into which successor, and the
    register's head-office prefecture and 商号 against the vendor's. Published as
    register_reconciliation. Without a register the year has no rows and says "no register"."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        try:
            with transaction(con):
                version = reconcile(con, fiscal_year)
                data_version = record_version(con, fiscal_year, "firm_register_matches")
                # No blocking check of its own (the register's suite guards the register): the
                # version counts as checked once written, as a guarded one does once its gates pass.
                mark_checked(con, fiscal_year, "firm_register_matches")
        except RegisterNotChecked as error:
            raise dg.Failure(description=str(error)) from None
        figures = match_summary(con, fiscal_year)
    if version == NO_REGISTER:
        report(context, f"{'register matches':<20} no register: nothing reconciled")
        metadata: dict = {"register": NO_REGISTER}
    else:
        report(
            context,
            f"{'register matches':<20} {figures['found']:,} of {figures['firms']:,} firms found; "
            f"{figures['closed_before_year_end']:,} closed, {figures['merged']:,} merged, "
            f"{figures['prefecture_differs']:,} in another prefecture",
        )
        metadata = {"dagster/row_count": figures["firms"], **figures, "register version": version}
    return dg.MaterializeResult(
        metadata={k.replace("_", " ") if k != "dagster/row_count" else k: v for k, v in metadata.items()},
        data_version=data_version,
    )


REGISTER_CHECKS = [corporate_register_suite]
