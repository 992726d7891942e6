"""Refresh without babysitting: a sensor for new or changed raw files, and a half-yearly schedule.

The sensor finds fiscal-year folders under DATA_RAW_DIR, adds a partition for each new
one, and requests a run when a file's content changes. It hashes every file on every tick
(SHA-256 of the content; size and mtime prove nothing: `cp -p` keeps both): a file that was
only touched starts nothing, a same-size correction starts a run. It never opens the DuckDB
file, which a running job may hold. Runs of the job queue one at a time (the instance's
`warehouse` tag limit), so the schedule's years run one after another.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from pipeline.reference.contract import FIRMS, TRANSACTIONS
from pipeline.runtime.partitions import fiscal_year_partitions
from pipeline.settings import Paths, fiscal_years_in
from pipeline.stages.ingest.input_files import FORMATS, sha256_of
from pipeline.stages.publication.manifest import read_manifest

JOB_NAME = "candidate_lists"


WAREHOUSE_TAG = "warehouse"
INSTANCE_HEADER = "# This checkout's Dagster instance: run history persists here and shows in `make ui`."


def instance_config(home: Path) -> str:
    """The dagster.yaml the project writes: Dagster's SQLite storage, its event log's
    connections kept open (pipeline/orchestration/event_log.py) in Dagster's own folder for
    it, and one run of the job at a time."""
    events = json.dumps(str(home.resolve() / "history" / "runs"))  # where Dagster's default puts it
    return f"""{INSTANCE_HEADER}
telemetry:
  enabled: false
event_log_storage:
  module: pipeline.orchestration.event_log
  class: KeptOpenSqliteEventLogStorage
  config:
    base_dir: {events}
# One run at a time holds the DuckDB warehouse: runs of the job (tagged {WAREHOUSE_TAG}) queue.
concurrency:
  runs:
    tag_concurrency_limits:
      - key: {WAREHOUSE_TAG}
        limit: 1
"""


def write_instance_config(home: Path) -> None:
    """The instance's dagster.yaml: written when there is none, and rewritten when it is one
    the project wrote that differs (an older version, or a home that was moved, whose event
    log folder is named in it); a dagster.yaml of the user's own is left alone."""
    home.mkdir(parents=True, exist_ok=True)
    path, wanted = home / "dagster.yaml", instance_config(home)
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current is None or (current.startswith(INSTANCE_HEADER) and current != wanted):
        path.write_text(wanted, encoding="utf-8")


def raw_file_state(paths: Paths) -> dict[str, list]:
    """For every raw file: [size, sha256], hashed from its content."""
    state = {}
    for year in fiscal_years_in(paths.raw_dir):
        for spec in (FIRMS, TRANSACTIONS):
            for fmt in FORMATS:
                path = paths.raw_dir / year / f"{spec.kind}.{fmt}"
                if path.is_file():
                    state[f"{year}/{path.name}"] = [path.stat().st_size, sha256_of(path)]
    return state


def _sha(entry: list | None) -> str | None:
    return entry[-1] if entry else None


def published_inputs(paths: Paths, year: str) -> dict[str, str]:
    """The SHA-256 of the inputs the year's live publication was made from."""
    manifest = read_manifest(paths.marts_dir / year) or {}
    return {i["source_file"]: i["sha256"] for i in manifest.get("inputs", [])}


def changed_years(before: dict[str, list], after: dict[str, list]) -> list[str]:
    """Fiscal years with a new, changed or removed file, by content hash."""
    keys = set(before) | set(after)
    changed = {key.split("/")[0] for key in keys if _sha(before.get(key)) != _sha(after.get(key))}
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
    after = raw_file_state(paths)
    years = [
        year
        for year in changed_years(before, after)
        # Already published from exactly these bytes: nothing to do.
        if published_inputs(paths, year) != {k: v[-1] for k, v in after.items() if k.startswith(f"{year}/")}
    ]
    known = set(context.instance.get_dynamic_partitions(fiscal_year_partitions.name))
    new_years = [y for y in sorted({k.split("/")[0] for k in after}) if y not in known]
    runs = [
        dg.RunRequest(
            partition_key=year,
            run_key=f"{year}:"
            + ",".join(after[k][-1][:12] for k in sorted(after) if k.startswith(f"{year}/")),
            tags=launch_tags(paths, year, "sensor"),
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
    return refresh_requests(Paths.from_env(), years, context.scheduled_execution_time.strftime("%Y-%m"))


def refresh_requests(paths: Paths, years: list[str], stamp: str) -> list[dg.RunRequest]:
    """One run per known fiscal year, oldest first (the run queue takes them one after another,
    so each year's change list sees the year before it), keyed by the refresh's month so each
    runs once. No run config: every run uses its year's recorded rule."""
    return [
        dg.RunRequest(
            partition_key=year, run_key=f"{stamp}:{year}", tags=launch_tags(paths, year, "schedule")
        )
        for year in sorted(years)
    ]


def launch_tags(paths: Paths, year: str, launcher: str) -> dict[str, str]:
    """Who launched a run, and the rule and code it runs under (the UI filters by them)."""
    from pipeline.registry.store import Registry
    from pipeline.stages.publication.manifest import code_commit

    rule = Registry(paths.registry_path).current_rule(int(year))
    return {"launcher": launcher, "rule_sha256": rule.sha256(), "git_commit": code_commit()["commit"]}
