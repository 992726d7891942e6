"""Stale-only refresh: which assets of a fiscal year must be recomputed, and running them.

The data version of every asset is computed up front from the input files' SHA-256,
the code and the rule (pipeline/versions.py). An asset is stale when that version
differs from the one recorded at the year's last good publication — and the live
publication's manifest must agree with the warehouse, or everything is stale.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from pipeline.amounts import DEFAULT_AMOUNT_RULE_JSON
from pipeline.contract import FIRMS, TRANSACTIONS
from pipeline.file_hashes import file_sha256
from pipeline.input_files import InputFileError, locate
from pipeline.manifest import read_manifest
from pipeline.settings import Paths
from pipeline.versions import PARENTS, data_versions, previous_selection, recorded_versions, stale_assets
from pipeline.warehouse import Warehouse


@dataclass(frozen=True)
class RefreshPlan:
    fiscal_year: str
    stale: list[str]
    reason: str

    @property
    def up_to_date(self) -> bool:
        return not self.stale


def plan_refresh(
    paths: Paths,
    fiscal_year: str,
    rule_json: str,
    force: bool = False,
    amount_rule_json: str = DEFAULT_AMOUNT_RULE_JSON,
) -> RefreshPlan:
    """Which assets of the year to recompute, and why."""
    everything = list(PARENTS)
    if force:
        return RefreshPlan(fiscal_year, everything, "--force")
    try:
        files = {spec.kind: locate(paths.raw_dir, fiscal_year, spec).path for spec in (FIRMS, TRANSACTIONS)}
    except InputFileError:
        return RefreshPlan(fiscal_year, everything, "input files need checking")
    year = int(fiscal_year)
    with Warehouse(path=str(paths.duckdb_path)).connect() as con:
        hashes = {kind: file_sha256(con, path) for kind, path in files.items()}
        expected = data_versions(hashes, rule_json, previous_selection(con, year), amount_rule_json)
        recorded = recorded_versions(con, year)
    manifest = read_manifest(paths.marts_dir / fiscal_year)
    if manifest is None or manifest.get("data_versions") != recorded:
        return RefreshPlan(fiscal_year, everything, "no matching publication")
    stale = stale_assets(expected, recorded)
    return RefreshPlan(fiscal_year, stale, "changed inputs, code or rules" if stale else "up to date")


def selection_of(plan: RefreshPlan) -> list[dg.AssetKey]:
    return [dg.AssetKey(asset) for asset in plan.stale]
