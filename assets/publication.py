"""Publication: the year's lists, degrees and quarantine as files (contract §5).

The files are first written whole into a draft release folder; the quality gates
check the draft; only then does `published_lists` switch DATA_MARTS_DIR/<year>
to it in one atomic step. A failed gate or a killed run leaves the previous
publication exactly as it was.
"""

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.blocks import BLOCKS
from pipeline.manifest import MANIFEST, build_manifest, write_manifest
from pipeline.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.prefectures import PREFECTURES
from pipeline.progress import report
from pipeline.publication import (
    copy_bom_csv,
    copy_parquet,
    release_folder,
    release_folder_path,
    switch_to,
)
from pipeline.quality.report import report_path
from pipeline.resources import DataFolders
from pipeline.versions import PARENTS, code_version, data_version_of, warehouse_data_versions
from pipeline.warehouse import (
    Warehouse,
    fetch_rows,
    run_sql,
    sql_for_year,
    sql_literal,
    transaction,
)

REPORT_NAME = "validation_report.html"
PREFECTURE_CODES = tuple(p.code for p in PREFECTURES)
PUBLISHED_TABLES = (
    "national_candidates",
    "firm_degrees",
    "quarantine",
    "candidate_changes",
    "block_candidates",
    "prefecture_kpis",
    "composite_scores",
)


def _publish_list(
    con: duckdb.DuckDBPyConnection,
    view: str,
    query: str,
    folder: Path,
    name: str,
    by: str,
    key: str = "prefecture_code",
    values: tuple[str, ...] = PREFECTURE_CODES,
) -> None:
    """A list as Parquet and BOM CSV, and one CSV per value of `key` in the folder `by`."""
    # Materialised once (it is small): the per-prefecture copies then read it, not the warehouse.
    con.execute(f"create or replace temp table {view} as {query}")
    csv_query = f"select * replace (spreadsheet_safe(name) as name) from {view}"
    copy_parquet(con, f"select * from {view}", folder / f"{name}.parquet")
    copy_bom_csv(con, csv_query, folder / f"{name}.csv")
    (folder / by).mkdir()
    for value in values:
        copy_bom_csv(con, f"{csv_query} where {key} = {sql_literal(value)}", folder / by / f"{value}.csv")


def _publish_table(con: duckdb.DuckDBPyConnection, query: str, folder: Path, name: str) -> None:
    """A table as Parquet and BOM CSV."""
    copy_parquet(con, query, folder / f"{name}.parquet")
    copy_bom_csv(con, query, folder / f"{name}.csv")


def write_publication(con: duckdb.DuckDBPyConnection, fiscal_year: int, folder: Path) -> dict[str, int]:
    """Write every published file of the year into `folder`; returns rows per Parquet file."""
    _publish_list(
        con,
        "published_candidates",
        sql_for_year("national_candidates", fiscal_year),
        folder,
        "national_candidates",
        by="prefectures",
    )
    copy_parquet(con, sql_for_year("published_firm_degrees", fiscal_year), folder / "firm_degrees.parquet")
    copy_parquet(con, sql_for_year("published_quarantine", fiscal_year), folder / "quarantine.parquet")
    _publish_list(
        con,
        "candidate_changes",
        sql_for_year("candidate_changes", fiscal_year),
        folder,
        "candidate_changes",
        by="changes",
    )
    _publish_list(
        con,
        "block_candidates",
        sql_for_year("block_candidates", fiscal_year),
        folder,
        "block_candidates",
        by="blocks",
        key="block_code",
        values=tuple(block.code for block in BLOCKS),
    )
    _publish_table(con, sql_for_year("published_prefecture_kpis", fiscal_year), folder, "prefecture_kpis")
    copy_parquet(
        con, sql_for_year("published_composite_scores", fiscal_year), folder / "composite_scores.parquet"
    )
    rule = fetch_rows(con, "selection_rule", fiscal_year=fiscal_year)[0][0]
    (folder / "rule.json").write_text(rule + "\n", encoding="utf-8")
    counts = {}
    for name in PUBLISHED_TABLES:
        path = folder / f"{name}.parquet"
        counts[name] = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
    return counts


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="publication",
    kinds={"parquet", "csv"},
    deps=PARENTS["publication_draft"],
    code_version=code_version("publication_draft"),
)
def publication_draft(
    context: dg.AssetExecutionContext, folders: DataFolders, warehouse: Warehouse
) -> dg.MaterializeResult:
    """The year's files, written whole into a draft release folder that nobody reads yet:
    national_candidates (Parquet and BOM CSV), firm_degrees, quarantine,
    prefectures/<code>.csv, candidate_changes, block_candidates and blocks/<block>.csv,
    prefecture_kpis and rule.json. The gates check this draft before it goes live."""
    fiscal_year = fiscal_year_of(context)
    folder = release_folder(folders.marts, fiscal_year, context.run.run_id)
    with warehouse.connect() as con:
        counts = write_publication(con, fiscal_year, folder)
        version = data_version_of(con, fiscal_year, "publication_draft")
        has_previous_year = bool(fetch_rows(con, "previous_year_selected", fiscal_year=fiscal_year))
    report(context, f"{'draft':<20} {counts['national_candidates']:,} candidates written to {folder.name}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["national_candidates"],
            "draft folder": dg.MetadataValue.path(str(folder)),
            "firm_degrees rows": counts["firm_degrees"],
            "block_candidates rows (Fukui's candidates twice)": counts["block_candidates"],
            "prefecture_kpis rows": counts["prefecture_kpis"],
            "quarantine rows": counts["quarantine"],
            "changes since the previous year": counts["candidate_changes"]
            if has_previous_year
            else "no previous fiscal year in the warehouse",
        },
        data_version=version,
    )


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="publication",
    kinds={"parquet", "csv"},
    deps=PARENTS["published_lists"],
    code_version=code_version("published_lists"),
)
def published_lists(
    context: dg.AssetExecutionContext, folders: DataFolders, warehouse: Warehouse
) -> dg.MaterializeResult:
    """The live publication, DATA_MARTS_DIR/<year>/: switched to the checked draft in one
    atomic step, with the run's validation report beside the lists. It only runs when
    every blocking gate upstream passed."""
    fiscal_year = fiscal_year_of(context)
    folder = release_folder_path(folders.marts, fiscal_year, context.run.run_id)
    validation = report_path(folders.marts, fiscal_year, context.run.run_id)
    if validation.exists():
        shutil.copyfile(validation, folder / REPORT_NAME)
    with warehouse.connect() as con:
        versions = warehouse_data_versions(con, fiscal_year)
        manifest = build_manifest(con, fiscal_year, folder, context.run.run_id, versions)
        write_manifest(folder, manifest)
        switch_to(folders.marts, fiscal_year, folder)
        with transaction(con):
            con.execute("delete from asset_versions where fiscal_year = ?", [fiscal_year])
            for asset, version in versions.items():
                run_sql(
                    con, "record_asset_version", fiscal_year=fiscal_year, asset=asset, data_version=version
                )
    published = folders.marts / str(fiscal_year)
    rule = (published / "rule.json").read_text(encoding="utf-8").strip()
    report(context, f"{'published':<20} {published}")
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(published)),
            "national_candidates.csv": dg.MetadataValue.path(str(published / "national_candidates.csv")),
            "prefecture lists": dg.MetadataValue.path(str(published / "prefectures")),
            "validation report": dg.MetadataValue.path(str(published / REPORT_NAME)),
            "rule in force": dg.MetadataValue.json(json.loads(rule)),
            "manifest": dg.MetadataValue.path(str(published / MANIFEST)),
            "release": folder.name,
        },
        data_version=dg.DataVersion(versions["published_lists"]),
    )
