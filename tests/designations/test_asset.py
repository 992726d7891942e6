"""The Dagster asset `ichiran`: outside the per-year job, materialised by its own job or recorded
by `ichiran publish`, with the metadata a person reads in the UI."""

from __future__ import annotations

import shutil

import dagster as dg

from pipeline.definitions import build_definitions
from tests.conftest import cn
from tests.designations.conftest import CANDIDATES, DROPPED, linked_marts


def test_the_job_publishes_a_version_with_its_metadata(cycle, tmp_path, monkeypatch):
    marts = linked_marts(cycle.world, tmp_path)
    store = tmp_path / "plans.sqlite3"
    shutil.copy(cycle.store_before_v1, store)
    monkeypatch.setenv("PLANS_DB", str(store))
    monkeypatch.setenv("DUCKDB_PATH", str(cycle.world.paths.duckdb_path))
    instance = dg.DagsterInstance.ephemeral()
    job = build_definitions(marts.paths).resolve_job_def("ichiran_publication")
    result = job.execute_in_process(
        run_config={"ops": {"ichiran": {"config": {"effective": "2026-04-01"}}}}, instance=instance
    )
    assert result.success
    [materialisation] = result.asset_materializations_for_node("ichiran")
    meta = {k: v.value for k, v in materialisation.metadata.items()}
    assert meta["ichiran_version"] == 1 and meta["effective_date"] == "2026-04-01"
    assert meta["firms per prefecture"] == {"13": len(CANDIDATES)}
    assert meta["added since the previous version"] == len(CANDIDATES)
    assert meta["removed since the previous version"] == 0
    [release] = meta["candidate releases"]
    assert release["release_id"].startswith("2025-") and release["fiscal_year"] == 2025
    assert cn(DROPPED) in meta["added"]
    assert (marts.paths.marts_dir / "ichiran" / "v0001" / "ichiran.parquet").is_file()
    again = job.execute_in_process(
        run_config={"ops": {"ichiran": {"config": {"effective": "2026-04-01"}}}}, instance=instance,
        raise_on_error=False,
    )  # fmt: skip
    assert not again.success  # the same date twice is refused, and says so


def test_the_command_line_records_each_version_in_dagster(cycle, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(cycle.world.paths.dagster_home))
    instance = dg.DagsterInstance.get()
    try:
        events = instance.fetch_materializations(dg.AssetKey("ichiran"), limit=10).records
        versions = sorted(e.asset_materialization.metadata["ichiran_version"].value for e in events)
    finally:
        instance.dispose()
    assert versions[-2:] == [1, 2]
    removed = [e for e in events if e.asset_materialization.metadata["ichiran_version"].value == 2]
    assert removed[0].asset_materialization.metadata["removed since the previous version"].value == 1
