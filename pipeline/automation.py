"""Refresh without babysitting: a sensor for new or changed raw files, and a half-yearly schedule.

The sensor finds fiscal-year folders under DATA_RAW_DIR, adds a partition for each new
one, and requests a run when a file's content changes. It compares SHA-256, not mtimes:
a file that was only touched starts nothing. It never opens the DuckDB file, which a
running job may hold.
"""

from __future__ import annotations

import json

import dagster as dg

from pipeline.contract import FIRMS, TRANSACTIONS
from pipeline.input_files import FORMATS, sha256_of
from pipeline.manifest import read_manifest
from pipeline.partitions import fiscal_year_partitions
from pipeline.settings import Paths, fiscal_years_in

JOB_NAME = "candidate_lists"


def raw_file_state(paths: Paths, cursor: dict) -> dict[str, list]:
    """For every raw file: [size, mtime_ns, sha256], re-hashing only files whose stat moved."""
    state = {}
    for year in fiscal_years_in(paths.raw_dir):
        for spec in (FIRMS, TRANSACTIONS):
            for fmt in FORMATS:
                path = paths.raw_dir / year / f"{spec.kind}.{fmt}"
                if not path.is_file():
                    continue
                stat = path.stat()
                key = f"{year}/{path.name}"
                known = cursor.get(key)
                if known and known[:2] == [stat.st_size, stat.st_mtime_ns]:
                    state[key] = known
                else:
                    state[key] = [stat.st_size, stat.st_mtime_ns, sha256_of(path)]
    return state


def published_inputs(paths: Paths, year: str) -> dict[str, str]:
    """The SHA-256 of the inputs the year's live publication was made from."""
    manifest = read_manifest(paths.marts_dir / year) or {}
    return {i["source_file"]: i["sha256"] for i in manifest.get("inputs", [])}


def changed_years(before: dict[str, list], after: dict[str, list]) -> list[str]:
    """Fiscal years with a new, changed or removed file, by content hash."""
    keys = set(before) | set(after)
    changed = {
        key.split("/")[0]
        for key in keys
        if (before.get(key) or [None] * 3)[2] != (after.get(key) or [None] * 3)[2]
    }
    return sorted(year for year in changed if any(k.startswith(f"{year}/") for k in after))


@dg.sensor(
    job_name=JOB_NAME,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run for a fiscal year whose raw files are new or changed (by SHA-256) "
    "and differ from the inputs of its live publication.",
)
def raw_data_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    paths = Paths.from_env()
    before = json.loads(context.cursor) if context.cursor else {}
    after = raw_file_state(paths, before)
    years = [
        year
        for year in changed_years(before, after)
        # Already published from exactly these bytes: nothing to do.
        if published_inputs(paths, year) != {k: v[2] for k, v in after.items() if k.startswith(f"{year}/")}
    ]
    known = set(context.instance.get_dynamic_partitions(fiscal_year_partitions.name))
    new_years = [y for y in sorted({k.split("/")[0] for k in after}) if y not in known]
    runs = [
        dg.RunRequest(
            partition_key=year,
            run_key=f"{year}:"
            + ",".join(after[k][2][:12] for k in sorted(after) if k.startswith(f"{year}/")),
        )
        for year in years
    ]
    return dg.SensorResult(
        run_requests=runs,
        dynamic_partitions_requests=[fiscal_year_partitions.build_add_request(new_years)]
        if new_years
        else [],
        cursor=json.dumps(after, sort_keys=True),
    )


@dg.schedule(
    job_name=JOB_NAME,
    cron_schedule="0 6 1 4,10 *",
    execution_timezone="Asia/Tokyo",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Half-yearly refresh (1 April and 1 October, 06:00 JST) of every fiscal year.",
)
def half_yearly_refresh(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    years = context.instance.get_dynamic_partitions(fiscal_year_partitions.name)
    return refresh_requests(years, context.scheduled_execution_time.strftime("%Y-%m"))


def refresh_requests(years: list[str], stamp: str) -> list[dg.RunRequest]:
    """One run per known fiscal year, keyed by the refresh's month so each runs once."""
    return [dg.RunRequest(partition_key=year, run_key=f"{stamp}:{year}") for year in sorted(years)]
