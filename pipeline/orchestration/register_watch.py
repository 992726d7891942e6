"""The corporate register kept current without babysitting: a sensor that refreshes it when the
files in HOUJIN_DIR change (by SHA-256, as the raw-data sensor), and one that reconciles every
fiscal year once a new register version is in the warehouse.

The NTA publishes the 全件 data monthly and 差分 files daily, so the folder is looked at hourly.
The second sensor watches the register's materialisations: each register version (its data
version) starts one run per known year, oldest first; the run key makes it once per version.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from pipeline.orchestration.automation import JOB_NAME, launch_tags
from pipeline.runtime.partitions import fiscal_year_partitions
from pipeline.settings import Paths
from pipeline.stages.ingest.input_files import sha256_of

REGISTER_JOB_NAME = "register_refresh"


def register_file_state(folder: Path | None) -> dict[str, list]:
    """For every file the register would read in `folder`: [size, sha256]; empty without one."""
    if folder is None or not folder.is_dir():
        return {}
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    return {p.name: [p.stat().st_size, sha256_of(p)] for p in files}


@dg.sensor(
    job_name=REGISTER_JOB_NAME,
    minimum_interval_seconds=3600,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Refreshes the 国税庁 corporate register when a file in HOUJIN_DIR is new, changed "
    "or removed (by SHA-256).",
)
def register_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    before = json.loads(context.cursor) if context.cursor else {}
    after = register_file_state(Paths.from_env().houjin_dir)
    runs = []
    if after != before and (after or before):  # an emptied folder is a change too: no register
        digest = ",".join(f"{name}:{entry[-1][:12]}" for name, entry in sorted(after.items()))
        runs.append(dg.RunRequest(run_key=f"register:{digest or 'none'}", tags={"launcher": "sensor"}))
    return dg.SensorResult(run_requests=runs, cursor=json.dumps(after, sort_keys=True))


@dg.asset_sensor(
    asset_key=dg.AssetKey("corporate_register"),
    job_name=JOB_NAME,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Reconciles every fiscal year with a new register version: one run per year, oldest first.",
)
def register_reconciliation_sensor(
    context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry
) -> list[dg.RunRequest]:
    materialization = asset_event.asset_materialization
    version = (
        (materialization.tags or {}).get("dagster/data_version", "unknown") if materialization else "unknown"
    )
    paths = Paths.from_env()
    years = sorted(context.instance.get_dynamic_partitions(fiscal_year_partitions.name))
    return [
        dg.RunRequest(
            partition_key=year,
            run_key=f"register-{version}:{year}",
            tags=launch_tags(paths, year, "register sensor"),
        )
        for year in years
    ]
