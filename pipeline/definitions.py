"""The Dagster code location: the stages' assets and checks merged, the job, its automation and resources."""

from __future__ import annotations

import dagster as dg

from pipeline.designations.asset import ichiran, ichiran_publication
from pipeline.orchestration.automation import JOB_NAME, WAREHOUSE_TAG, half_yearly_refresh, raw_data_sensor
from pipeline.orchestration.register_watch import (
    REGISTER_JOB_NAME,
    register_files_sensor,
    register_reconciliation_sensor,
)
from pipeline.quality.policy import QualityPolicy
from pipeline.runtime.resources import DataFolders, RecordedRules
from pipeline.settings import Paths, duckdb_memory_limit, duckdb_threads
from pipeline.stages.catalog import ASSET_CHECKS, ASSETS
from pipeline.stages.publication.charts import ChartWorkers
from pipeline.stages.register.assets import RegisterFolder, corporate_register
from pipeline.warehouse.connection import Warehouse

candidate_lists = dg.define_asset_job(
    JOB_NAME,
    # Neither the register nor the 一覧 is per year: each has its own job.
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(corporate_register, ichiran),
    description="One fiscal year from raw files to the published candidate lists.",
    # The instance lets one run with this tag at a time: they share one DuckDB file.
    tags={WAREHOUSE_TAG: "candidate_lists"},
)

register_job = dg.define_asset_job(
    REGISTER_JOB_NAME,
    selection=dg.AssetSelection.assets(corporate_register),
    description="The 国税庁 corporate register from HOUJIN_DIR, applied and checked.",
    tags={WAREHOUSE_TAG: "corporate_register"},
)


def resources_from(paths: Paths) -> dict[str, dg.ConfigurableResource]:
    """The resource set for one environment's paths."""
    return {
        "folders": DataFolders(raw_dir=str(paths.raw_dir), marts_dir=str(paths.marts_dir)),
        "warehouse": Warehouse(
            path=str(paths.duckdb_path), memory_limit=duckdb_memory_limit(), threads=duckdb_threads()
        ),
        "quality": QualityPolicy(),
        "rules": RecordedRules(registry_path=str(paths.registry_path)),
        "register": RegisterFolder(houjin_dir=str(paths.houjin_dir or "")),
        "chart_workers": ChartWorkers(),
    }


def build_definitions(paths: Paths | None = None) -> dg.Definitions:
    """Definitions for the given paths (default: from the environment)."""
    return dg.Definitions(
        assets=[*ASSETS, ichiran],
        asset_checks=ASSET_CHECKS,
        jobs=[candidate_lists, register_job, ichiran_publication],
        sensors=[raw_data_sensor, register_files_sensor, register_reconciliation_sensor],
        schedules=[half_yearly_refresh],
        resources=resources_from(paths or Paths.from_env()),
        # One process: DuckDB allows one writer per database file.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
