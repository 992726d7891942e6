"""Publication: the year's candidate lists, degrees and quarantine as files (contract §5)."""

from pathlib import Path

import dagster as dg
import duckdb

from pipeline.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.prefectures import PREFECTURES
from pipeline.progress import report
from pipeline.publication import copy_bom_csv, copy_parquet, release_folder, switch_to
from pipeline.resources import DataFolders
from pipeline.rule import PublicationPolicy
from pipeline.warehouse import Warehouse, fetch_rows, sql_parameters, sql_text

_CSV_VIEW = "select * replace (spreadsheet_safe(name) as name) from published_candidates"


def _bind(name: str, fiscal_year: int) -> str:
    """A publication query with its fiscal year filled in, for COPY (which takes no parameters)."""
    sql = sql_text(name)
    sql_parameters(sql, {"fiscal_year": fiscal_year})
    return sql.replace("$fiscal_year", str(int(fiscal_year)))


def quarantine_blockers(con: duckdb.DuckDBPyConnection, fiscal_year: int, tolerance: float) -> list[str]:
    """One message per input file whose quarantined share of rows or yen exceeds the tolerance."""
    blockers = []
    for source_file, read, quarantined, row_share, yen_share in fetch_rows(
        con, "quarantine_shares", fiscal_year=fiscal_year
    ):
        if row_share > tolerance or yen_share > tolerance:
            blockers.append(
                f"{source_file}: {quarantined:,} of {read:,} rows quarantined "
                f"({row_share:.2%} of rows, {yen_share:.2%} of yen; tolerance {tolerance:.2%})"
            )
    return blockers


def write_publication(con: duckdb.DuckDBPyConnection, fiscal_year: int, folder: Path) -> dict[str, int]:
    """Write every published file of the year into `folder`; returns rows per file."""
    con.execute(
        f"create or replace temp view published_candidates as {_bind('national_candidates', fiscal_year)}"
    )
    copy_parquet(con, "select * from published_candidates", folder / "national_candidates.parquet")
    copy_bom_csv(con, _CSV_VIEW, folder / "national_candidates.csv")
    copy_parquet(con, _bind("published_firm_degrees", fiscal_year), folder / "firm_degrees.parquet")
    copy_parquet(con, _bind("published_quarantine", fiscal_year), folder / "quarantine.parquet")
    (folder / "prefectures").mkdir()
    for prefecture in PREFECTURES:
        copy_bom_csv(
            con,
            f"{_CSV_VIEW} where prefecture_code = '{prefecture.code}'",
            folder / "prefectures" / f"{prefecture.code}.csv",
        )
    rule = fetch_rows(con, "selection_rule", fiscal_year=fiscal_year)[0][0]
    (folder / "rule.json").write_text(rule + "\n", encoding="utf-8")
    counts = {}
    for name in ("national_candidates", "firm_degrees", "quarantine"):
        path = folder / f"{name}.parquet"
        counts[name] = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
    return counts


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="publication",
    kinds={"parquet", "csv"},
    deps=["candidate_selection", "quarantined_firms", "quarantined_transactions"],
)
def published_lists(
    context: dg.AssetExecutionContext,
    config: PublicationPolicy,
    folders: DataFolders,
    warehouse: Warehouse,
) -> dg.MaterializeResult:
    """The fiscal year's publication under DATA_MARTS_DIR/<year>/: national_candidates
    (Parquet and BOM CSV), firm_degrees, quarantine, prefectures/<code>.csv and rule.json.
    Blocked when a file's quarantined share of rows or yen exceeds the tolerance; the
    previous publication then stays exactly as it was."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        blockers = quarantine_blockers(con, fiscal_year, config.quarantine_tolerance)
        if blockers:
            raise dg.Failure(description="publication blocked: " + "; ".join(blockers))
        folder = release_folder(folders.marts, fiscal_year, context.run.run_id[:8])
        counts = write_publication(con, fiscal_year, folder)
    switch_to(folders.marts, fiscal_year, folder)
    published = folders.marts / str(fiscal_year)
    report(
        context,
        f"{'published':<20} {counts['national_candidates']:,} candidates → {published}",
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["national_candidates"],
            "folder": dg.MetadataValue.path(str(published)),
            "national_candidates.csv": dg.MetadataValue.path(str(published / "national_candidates.csv")),
            "prefecture lists": dg.MetadataValue.path(str(published / "prefectures")),
            "firm_degrees rows": counts["firm_degrees"],
            "quarantine rows": counts["quarantine"],
            "release": folder.name,
        }
    )
