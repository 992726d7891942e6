"""The code location loads, and every asset tells a person what it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipeline.definitions import JOB_NAME, defs
from pipeline.settings import PROJECT_ROOT
from pipeline.stages.catalog import SUITES

STAGES = [
    "corporate_register",
    "raw_firms",
    "raw_transactions",
    "staged_firms",
    "quarantined_firms",
    "firm_register_matches",
    "staged_transactions",
    "quarantined_transactions",
    "firm_size_classes",
    "firm_flows",
    "firm_indicators",
    "block_degrees",
    "prefecture_totals",
    "firm_degrees",
    "composite_indicators",
    "candidate_selection",
    "prefecture_kpis",
    "publication_draft",
    "prefecture_charts",
    "published_lists",
    "ichiran",  # the 重点支援企業一覧, outside the per-year job
]


def test_definitions_load_with_every_stage_in_one_job():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == set(STAGES)
    job = defs.resolve_job_def(JOB_NAME)
    assert job.executor_def.name == "in_process"
    assert "ichiran" not in {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {
        k.to_user_string()
        for k in defs.resolve_job_def("ichiran_publication").asset_layer.selected_asset_keys
    } == {"ichiran"}


def test_every_asset_has_a_description_group_and_kinds():
    for spec in defs.resolve_all_asset_specs():
        assert spec.description and len(spec.description) > 30, spec.key
        assert spec.group_name != "default", spec.key
        assert spec.kinds, spec.key


def test_data_flows_one_way_from_raw_to_publication():
    graph = defs.resolve_asset_graph()
    order = {name: i for i, name in enumerate(STAGES)}
    for key in graph.get_all_asset_keys():
        for parent in graph.get(key).parent_keys:
            assert order[parent.to_user_string()] < order[key.to_user_string()]


def test_every_stage_has_a_blocking_gx_suite():
    graph = defs.resolve_asset_graph()
    checks = {
        (key.asset_key.to_user_string(), key.name): graph.get_check_spec(key)
        for key in graph.asset_check_keys
    }
    guarded = {asset for asset, name in checks if name.startswith("gx_")}
    assert guarded == {suite.asset for suite in SUITES} | {"corporate_register"}
    assert all(spec.blocking for (asset, name), spec in checks.items() if name.startswith("gx_"))


def test_workspace_yaml_loads_the_code_location_for_the_ui(tmp_path):
    dagster = Path(sys.executable).parent / "dagster"
    validated = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert validated.returncode == 0, validated.stderr[-2000:]
    assert "All code locations passed validation" in validated.stderr + validated.stdout


def test_dagster_lineage_is_the_one_data_versions_follow():
    from pipeline.warehouse.versions import PARENTS

    graph = defs.resolve_asset_graph()
    lineage = {
        key.to_user_string(): {parent.to_user_string() for parent in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }
    # The register is not per year: outside PARENTS, its version enters firm_register_matches'
    # (and staged_firms', under register_policy register_prefecture).
    expected = {asset: set(parents) for asset, parents in PARENTS.items()}
    expected["firm_register_matches"].add("corporate_register")
    expected["staged_firms"].add("corporate_register")
    assert lineage.pop("ichiran") == {"published_lists"}  # the 一覧 keeps versions of its own
    assert lineage == {**expected, "corporate_register": set()}
