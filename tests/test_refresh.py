"""No needless recompute: stale-only runs from content hashes, code versions and the rule."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipeline.orchestration.refresh import plan_refresh
from pipeline.registry.rule import SelectionRule, YearRule
from pipeline.stages.publication.manifest import read_manifest
from pipeline.warehouse.versions import (
    PARENTS,
    PUBLISHED_TOGETHER,
    RecordedVersion,
    code_version,
    stale_assets,
)
from tests.conftest import YEAR, Pipeline, cli, firm, paths_under, sale

DEFAULT_RULE = YearRule()
FROM_SELECTION = [
    "candidate_selection",
    "prefecture_kpis",
    "publication_draft",
    "prefecture_charts",
    "published_lists",
]


def _inputs():
    firms = [firm(n, "13" if n <= 5 else "27", export_sales_jpy=100 * n) for n in range(1, 11)]
    transactions = [sale(n, (n % 10) + 1, 1_000 * n) for n in range(1, 11)]
    return firms, transactions


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Pipeline:
    """One run shared by the module's tests; a test that changes its folders works on a copy."""
    pipeline = Pipeline(tmp_path_factory.mktemp("refresh"))
    pipeline.write(*_inputs())
    run = pipeline.run()
    assert run.success, run.failure
    return pipeline


@pytest.fixture
def published_copy(published: Pipeline, tmp_path: Path) -> Pipeline:
    return published.copy(tmp_path)


def test_unchanged_inputs_code_and_rule_are_up_to_date(published: Pipeline):
    assert plan_refresh(published.paths, YEAR, DEFAULT_RULE).stale == []


def test_a_touched_but_unchanged_file_is_still_up_to_date(published_copy: Pipeline):
    published = published_copy
    path = published.paths.raw_dir / YEAR / "transactions.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert plan_refresh(published.paths, YEAR, DEFAULT_RULE).stale == []


def test_a_changed_rule_recomputes_only_what_follows_the_selection(published: Pipeline):
    rule = DEFAULT_RULE.with_changes({"min_employees": 50})
    assert plan_refresh(published.paths, YEAR, rule).stale == FROM_SELECTION


def test_changed_transactions_leave_the_firm_stages_alone(published_copy: Pipeline):
    published = published_copy
    firms, transactions = _inputs()
    transactions[0]["amount_jpy"] += 1
    published.write(firms, transactions)
    stale = plan_refresh(published.paths, YEAR, DEFAULT_RULE).stale
    firm_only = (
        "raw_firms",
        "staged_firms",
        "quarantined_firms",
        "firm_size_classes",
        "firm_register_matches",
    )
    assert stale == [a for a in PARENTS if a not in firm_only]


def test_force_recomputes_everything_and_a_missing_publication_republishes(published_copy: Pipeline):
    published = published_copy
    assert plan_refresh(published.paths, YEAR, DEFAULT_RULE, force=True).stale == list(PARENTS)
    shutil.rmtree(published.paths.marts_dir)
    # The warehouse still holds every stage, checked: only the publication is made again.
    assert plan_refresh(published.paths, YEAR, DEFAULT_RULE).stale == list(PUBLISHED_TOGETHER)


def test_the_draft_its_charts_and_the_switch_are_stale_together():
    expected = {asset: "new" if asset == "prefecture_charts" else "same" for asset in PARENTS}
    recorded = {asset: RecordedVersion("same", checked=True) for asset in PARENTS}
    stale = stale_assets(expected, recorded, frozenset(PARENTS))
    assert stale == ["publication_draft", "prefecture_charts", "published_lists"]


def test_code_versions_are_hashes_of_each_assets_sources():
    versions = {asset: code_version(asset) for asset in PARENTS}
    assert all(len(v) == 16 for v in versions.values())
    assert versions["firm_flows"] != versions["firm_degrees"]
    assert versions["raw_firms"] == versions["raw_transactions"]  # the same module and SQL


def test_manifest_describes_inputs_outputs_rule_and_software(published: Pipeline):
    folder = published.paths.marts_dir / YEAR
    manifest = read_manifest(folder)
    for entry in manifest["inputs"]:
        data = (published.paths.raw_dir / entry["source_file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size_bytes"] == len(data)
    outputs = {o["file"]: o["sha256"] for o in manifest["outputs"]}
    assert "national_candidates.parquet" in outputs and "prefectures/13.csv" in outputs
    for name, digest in outputs.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert manifest["rule"] == json.loads(SelectionRule().as_json())
    assert manifest["quarantine_tolerance"] == "0.01"
    assert manifest["rule_sha256"] == DEFAULT_RULE.sha256()
    assert manifest["rows_per_stage"]["staged_firms"] == 10
    assert manifest["rows_per_stage"]["raw_transactions"] == 10
    assert set(manifest["software"]) == {
        "python",
        "dagster",
        "duckdb",
        "great-expectations",
        "polars",
        "pyarrow",
    }
    assert len(manifest["code"]["commit"]) in (40, len("unknown"))
    assert set(manifest["data_versions"]) == set(PARENTS)
    runs = published.instance.get_run_records()
    assert manifest["dagster_run_id"] == runs[0].dagster_run.run_id


def _materialized_per_run(root: Path) -> list[set[str]]:
    os.environ["DAGSTER_HOME"] = str(root / "dagster")
    try:
        instance = dg.DagsterInstance.get()
        records = reversed(instance.get_run_records())
        return [
            {
                e.asset_key.to_user_string()
                for e in instance.all_logs(
                    r.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
                )
                for e in [e.dagster_event]
            }
            for r in records
        ]
    finally:
        del os.environ["DAGSTER_HOME"]


def test_command_line_is_stale_only_by_default_and_force_recomputes(tmp_path: Path):
    Pipeline(tmp_path).write(*_inputs())
    assert cli(paths_under(tmp_path), "run").returncode == 0
    again = cli(paths_under(tmp_path), "run")
    assert again.returncode == 0
    assert f"[{YEAR}] up to date" in again.stdout
    ruled = cli(paths_under(tmp_path), "run", "--min-employees", "50")
    assert ruled.returncode == 0
    assert f"recomputing {len(FROM_SELECTION)} of {len(PARENTS)} assets" in ruled.stdout
    forced = cli(paths_under(tmp_path), "run", "--min-employees", "50", "--force")
    assert forced.returncode == 0
    runs = _materialized_per_run(tmp_path)
    assert len(runs) == 3, "the up-to-date run started no Dagster run"
    assert runs[0] == set(PARENTS)
    assert runs[1] == set(FROM_SELECTION)
    assert runs[2] == set(PARENTS)
