"""The Dagster instance the project writes: its dagster.yaml, and the event log whose
connections stay open (pipeline/orchestration/event_log.py); the collector a run pauses."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import dagster as dg

from pipeline.orchestration.automation import INSTANCE_HEADER, instance_config, write_instance_config
from pipeline.orchestration.event_log import KEPT_RUN_DATABASES, KeptOpenSqliteEventLogStorage

ASSET = dg.AssetKey("firm_degrees")


def _instance(home: Path) -> dg.DagsterInstance:
    write_instance_config(home)
    return dg.DagsterInstance.from_config(str(home))


def _materialize(instance: dg.DagsterInstance, value: int) -> None:
    @dg.asset(name="firm_degrees")
    def degrees() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"rows": value})

    assert dg.materialize([degrees], instance=instance).success


def test_events_are_stored_where_dagster_keeps_them_and_read_by_another_instance(tmp_path):
    home = tmp_path / "dagster"
    first = _instance(home)
    try:
        assert isinstance(first.event_log_storage, KeptOpenSqliteEventLogStorage)
        _materialize(first, 7)
    finally:
        first.dispose()
    run_files = sorted(p.name for p in (home / "history" / "runs").glob("*.db"))
    assert "index.db" in run_files and len(run_files) == 2  # the index and the one run
    # A second instance (as `make ui` or the bench would open it) sees the committed events.
    second = dg.DagsterInstance.from_config(str(home))
    try:
        event = second.get_latest_materialization_event(ASSET)
        assert event is not None and event.asset_materialization.metadata["rows"].value == 7
    finally:
        second.dispose()
    with sqlite3.connect(home / "history" / "runs" / "index.db") as con:  # the file as Dagster's own
        stored = "select count(*) from event_logs where asset_key like '%firm_degrees%'"
        assert con.execute(stored).fetchone()[0]


def test_only_a_few_run_databases_stay_open(tmp_path):
    instance = _instance(tmp_path / "dagster")
    try:
        for value in range(KEPT_RUN_DATABASES + 3):
            _materialize(instance, value)
        storage = instance.event_log_storage
        assert isinstance(storage, KeptOpenSqliteEventLogStorage)
        assert len(storage._engines) == KEPT_RUN_DATABASES + 1  # the runs and the index
        records = instance.fetch_materializations(ASSET, limit=100).records
        assert sorted(r.asset_materialization.metadata["rows"].value for r in records) == list(
            range(KEPT_RUN_DATABASES + 3)
        )
    finally:
        instance.dispose()
    assert storage._engines == {}


def test_a_moved_home_gets_its_own_event_log_folder_and_a_users_own_file_is_kept(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    write_instance_config(old)
    shutil.copytree(old, new)
    assert str(old.resolve()) in (new / "dagster.yaml").read_text(encoding="utf-8")
    write_instance_config(new)
    assert (new / "dagster.yaml").read_text(encoding="utf-8") == instance_config(new)
    assert str(old.resolve()) not in (new / "dagster.yaml").read_text(encoding="utf-8")

    own = tmp_path / "own"
    own.mkdir()
    (own / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    write_instance_config(own)
    assert (own / "dagster.yaml").read_text(encoding="utf-8") == "telemetry:\n  enabled: false\n"
    assert instance_config(own).startswith(INSTANCE_HEADER)


def test_a_run_pauses_the_collector_and_gives_it_back():
    import gc

    from pipeline.cli import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled(), "on again after the run"
    try:
        with collector_paused():
            raise RuntimeError("a failed run")
    except RuntimeError:
        pass
    assert gc.isenabled(), "on again after a failed run too"
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled(), "a collector that was off stays off"
    finally:
        gc.enable()
