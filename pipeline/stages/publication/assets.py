"""Publication: the year's lists, degrees and quarantine as files (contract §5).

The files are first written whole into a draft folder; the quality gates check the draft;
only then does `published_lists` make it an immutable release and switch
DATA_MARTS_DIR/<year> to it in one atomic step (pipeline/runtime/release_folders.py). A failed gate or
a killed run leaves the previous publication exactly as it was.
"""

import errno
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.quality.report import report_path
from pipeline.reference.blocks import BLOCKS
from pipeline.reference.prefectures import PREFECTURES
from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import report
from pipeline.runtime.release_folders import (
    copy_bom_csv,
    copy_parquet,
    draft_folder_path,
    new_draft_folder,
    promote,
    switch_to,
)
from pipeline.runtime.resources import DataFolders, RecordedRules
from pipeline.stages.publication.manifest import MANIFEST, build_manifest, write_manifest
from pipeline.stages.publication.register_reconciliation import write_register_reconciliation
from pipeline.stages.publication.releases import register_live_release, write_release_list
from pipeline.warehouse.connection import Warehouse, fetch_rows, sql_for_year, sql_literal, transaction
from pipeline.warehouse.versions import (
    PARENTS,
    PUBLISHED_TOGETHER,
    VersionInputs,
    asset_version,
    code_version,
    forget_versions,
    held_rule,
    held_versions,
    mark_checked,
    record_version,
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
    # The two text cells a vendor writes: a name or a code may begin like a formula.
    safe = "spreadsheet_safe(name) as name, spreadsheet_safe(vendor_code) as vendor_code"
    csv_query = f"select * replace ({safe}) from {view}"
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
    counts: dict[str, int] = {}
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
    counts.update(write_register_reconciliation(con, fiscal_year, folder))
    rule = held_rule(con, fiscal_year).published_json()
    (folder / "rule.json").write_text(rule + "\n", encoding="utf-8")
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
    """The year's files, written whole into a draft folder that nobody reads yet:
    national_candidates (Parquet and BOM CSV), firm_degrees, quarantine,
    prefectures/<code>.csv, candidate_changes, block_candidates and blocks/<block>.csv,
    prefecture_kpis and rule.json. The gates check this draft before it becomes a release."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        forget_versions(con, fiscal_year, *PUBLISHED_TOGETHER)
        folder = new_draft_folder(folders.marts, fiscal_year, context.run.run_id)
        try:
            counts = write_publication(con, fiscal_year, folder)
        except (OSError, duckdb.Error) as error:
            shutil.rmtree(folder, ignore_errors=True)  # a half-written draft must not fill the disk
            raise dg.Failure(description=_write_failure(folder, error)) from None
        with transaction(con):
            version = record_version(con, fiscal_year, "publication_draft")
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


def _write_failure(folder: Path, error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, OSError) and error.errno == errno.ENOSPC or "No space left" in str(error):
        return f"no space left on the device of {folder.parent} while writing the draft; it was removed"
    return f"writing the draft {folder} failed: {text}; it was removed"


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="publication",
    kinds={"parquet", "csv"},
    deps=PARENTS["published_lists"],
    code_version=code_version("published_lists"),
)
def published_lists(
    context: dg.AssetExecutionContext, folders: DataFolders, warehouse: Warehouse, rules: RecordedRules
) -> dg.MaterializeResult:
    """The live publication, DATA_MARTS_DIR/<year>/: the checked draft becomes an immutable
    release folder, the year's link is switched to it in one atomic step, and the release is
    recorded in the registry and in releases.parquet. It only runs when every blocking gate
    upstream passed."""
    fiscal_year = fiscal_year_of(context)
    draft = draft_folder_path(folders.marts, fiscal_year, context.run.run_id)
    validation = report_path(folders.marts, fiscal_year, context.run.run_id)
    if validation.exists():
        shutil.copyfile(validation, draft / REPORT_NAME)
    registry = rules.registry
    with warehouse.connect() as con:
        versions = held_versions(con, fiscal_year)
        own = asset_version("published_lists", versions, VersionInputs.held(con, fiscal_year))
        versions["published_lists"] = own
        rule = held_rule(con, fiscal_year)
        candidates = con.execute(
            "select count(*) from read_parquet(?)", [str(draft / "national_candidates.parquet")]
        ).fetchone()[0]
        manifest = build_manifest(con, fiscal_year, draft, context.run.run_id, versions, rule, candidates)
        write_manifest(draft, manifest)
        register_live_release(folders.marts, registry, fiscal_year)  # one a killed run switched to
        release = promote(folders.marts, draft)
        switch_to(folders.marts, fiscal_year, release)
        register_live_release(folders.marts, registry, fiscal_year)
        write_release_list(registry, folders.marts)
        with transaction(con):
            record_version(con, fiscal_year, "published_lists")
            mark_checked(con, fiscal_year, "published_lists")
    report(context, f"{'published':<20} {folders.marts / str(fiscal_year)} → {release}")
    return dg.MaterializeResult(
        metadata={
            "release": release.name,
            "release folder": dg.MetadataValue.path(str(release)),
            "national_candidates.csv": dg.MetadataValue.path(str(release / "national_candidates.csv")),
            "prefecture lists": dg.MetadataValue.path(str(release / "prefectures")),
            "validation report": dg.MetadataValue.path(str(release / REPORT_NAME)),
            "manifest": dg.MetadataValue.path(str(release / MANIFEST)),
            "candidates": candidates,
            "rule in force": dg.MetadataValue.json(json.loads(rule.as_json())),
            "rule sha256": rule.sha256(),
            "live link": dg.MetadataValue.path(str(folders.marts / str(fiscal_year))),
        },
        data_version=dg.DataVersion(own),
    )
