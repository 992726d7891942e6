"""The raw-data sensor (content hashes, not mtimes) and the half-yearly schedule."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from pipeline.definitions import defs
from pipeline.orchestration.automation import raw_data_sensor, refresh_requests
from pipeline.runtime.partitions import fiscal_year_partitions
from tests.conftest import YEAR, Pipeline, firm, paths_under, sale


@pytest.fixture
def raw(pipeline: Pipeline, monkeypatch) -> Pipeline:
    for name, path in (
        ("DATA_RAW_DIR", pipeline.paths.raw_dir),
        ("DATA_MARTS_DIR", pipeline.paths.marts_dir),
        ("DUCKDB_PATH", pipeline.paths.duckdb_path),
        ("REGISTRY_PATH", pipeline.paths.registry_path),
    ):
        monkeypatch.setenv(name, str(path))
    pipeline.write([firm(1, "13"), firm(2, "27")], [sale(1, 2, 1_000)])
    return pipeline


def _tick(pipeline: Pipeline, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=pipeline.instance, cursor=cursor)
    return raw_data_sensor(context)


def test_a_new_year_folder_adds_a_partition_and_requests_its_run(raw: Pipeline):
    result = _tick(raw, None)
    assert [r.partition_key for r in result.run_requests] == [YEAR]
    (request,) = result.dynamic_partitions_requests
    assert list(request.partition_keys) == [YEAR]
    assert request.partitions_def_name == fiscal_year_partitions.name


def test_touching_a_file_requests_nothing_but_changing_it_does(raw: Pipeline):
    first = _tick(raw, None)
    path = raw.paths.raw_dir / YEAR / "transactions.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    touched = _tick(raw, first.cursor)
    assert touched.run_requests == []
    raw.write([firm(1, "13"), firm(2, "27")], [sale(1, 2, 2_000)])
    changed = _tick(raw, touched.cursor)
    assert [r.partition_key for r in changed.run_requests] == [YEAR]
    assert changed.run_requests[0].run_key != first.run_requests[0].run_key


def test_a_same_size_correction_with_its_mtime_kept_requests_a_run(raw: Pipeline):
    first = _tick(raw, None)
    path = raw.paths.raw_dir / YEAR / "transactions.csv"
    before = path.stat()
    corrected = path.read_bytes().replace(b"1000", b"1001")  # same size, other content
    assert len(corrected) == before.st_size
    path.write_bytes(corrected)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as cp -p, rsync -t, unzip do
    again = _tick(raw, first.cursor)
    assert [r.partition_key for r in again.run_requests] == [YEAR]


def test_requests_carry_the_launcher_the_recorded_rule_and_the_commit(raw: Pipeline):
    rule = raw.set_rule(rule={"min_employees": 50})
    (request,) = _tick(raw, None).run_requests
    assert request.tags["launcher"] == "sensor"
    assert request.tags["rule_sha256"] == rule.sha256()
    assert request.tags["git_commit"]
    assert not request.run_config, "no run config: the run reads the recorded rule"


def test_inputs_already_published_request_no_run(raw: Pipeline):
    run = raw.run()
    assert run.success, run.failure
    assert _tick(raw, None).run_requests == []


def test_half_yearly_schedule_is_off_and_refreshes_every_year(tmp_path):
    schedule = defs.resolve_schedule_def("half_yearly_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 6 1 4,10 *"
    assert schedule.execution_timezone == "Asia/Tokyo"
    # Evaluated without a Dagster context: a schedule context with a temporary instance
    # leaves Dagster's definitions-load context pointing at the dead instance.
    requests = refresh_requests(paths_under(tmp_path), ["2025", "2024"], "2026-10")
    assert [(r.partition_key, r.run_key) for r in requests] == [
        ("2024", "2026-10:2024"),
        ("2025", "2026-10:2025"),
    ]
    assert {r.tags["launcher"] for r in requests} == {"schedule"}
    assert all(not r.run_config for r in requests), "no run config: each year's recorded rule"


def test_sensor_is_on_and_schedule_and_sensor_target_the_lists_job():
    sensor = defs.resolve_sensor_def("raw_data_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "candidate_lists"
    assert defs.resolve_schedule_def("half_yearly_refresh").job_name == "candidate_lists"


def test_the_instance_queues_runs_of_the_job_one_at_a_time(tmp_path):
    from pipeline.definitions import JOB_NAME
    from pipeline.orchestration.automation import WAREHOUSE_TAG, write_instance_config

    write_instance_config(tmp_path)
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    finally:
        instance.dispose()
    assert {"key": WAREHOUSE_TAG, "limit": 1} in [dict(limit) for limit in limits]
    assert defs.resolve_job_def(JOB_NAME).tags[WAREHOUSE_TAG]


# --- the corporate register: refreshed when HOUJIN_DIR changes, then every year reconciled


def test_register_files_sensor_refreshes_on_a_changed_file_not_a_touched_one(tmp_path, monkeypatch):
    from pipeline.orchestration.register_watch import register_files_sensor
    from sample_data.register import write_register_sample

    folder = tmp_path / "houjin"
    monkeypatch.setenv("HOUJIN_DIR", str(folder))
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor: str | None) -> dg.SensorResult:
        return register_files_sensor(dg.build_sensor_context(instance=instance, cursor=cursor))

    empty = tick(None)
    assert empty.run_requests == [], "no folder, no register: nothing to refresh"
    write_register_sample(folder)
    first = tick(empty.cursor)
    (request,) = first.run_requests
    assert request.tags["launcher"] == "sensor"
    assert tick(first.cursor).run_requests == []
    a_file = sorted(p for p in folder.iterdir() if p.is_file())[0]
    os.utime(a_file, ns=(a_file.stat().st_atime_ns, a_file.stat().st_mtime_ns + 10**9))
    assert tick(first.cursor).run_requests == [], "a touched file is not a new register"
    (folder / "13_tokyo_diff_20990101.csv").write_bytes(b"")  # a new file: refreshed (and refused)
    (changed,) = tick(first.cursor).run_requests
    assert changed.run_key != request.run_key
    for p in folder.iterdir():
        p.unlink()
    (emptied,) = tick(first.cursor).run_requests  # an emptied folder forgets the register
    assert emptied.run_key == "register:none"


def test_a_new_register_version_reconciles_every_year_once(tmp_path, monkeypatch):
    from pipeline.orchestration.register_watch import register_reconciliation_sensor

    monkeypatch.setenv("REGISTRY_PATH", str(tmp_path / "registry.sqlite3"))
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(fiscal_year_partitions.name, ["2025", "2024"])
    instance.report_runless_asset_event(
        dg.AssetMaterialization("corporate_register", tags={"dagster/data_version": "v1"})
    )
    context = dg.build_sensor_context(instance=instance)
    requests = list(register_reconciliation_sensor(context))
    assert [(r.partition_key, r.run_key) for r in requests] == [
        ("2024", "register-v1:2024"),
        ("2025", "register-v1:2025"),
    ]
    assert {r.tags["launcher"] for r in requests} == {"register sensor"}
    sensor = defs.resolve_sensor_def("register_reconciliation_sensor")
    assert sensor.job_name == "candidate_lists" and sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert defs.resolve_sensor_def("register_files_sensor").job_name == "register_refresh"
