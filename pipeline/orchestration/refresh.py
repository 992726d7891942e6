"""Stale-only refresh: which assets of a fiscal year must be recomputed.

The versions a run would make now are computed from the input files' content, the code and the
year's rule in force (pipeline/warehouse/versions.py). An asset is stale when the warehouse holds another
version, or one whose blocking checks have not passed on it; the publication is stale too when
the live release was made from other versions. So a blocked or killed run's leftovers are
recomputed, never published.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from pipeline.reference.contract import FIRMS, TRANSACTIONS
from pipeline.registry.rule import YearRule
from pipeline.settings import Paths
from pipeline.stages.catalog import GUARDED_ASSETS
from pipeline.stages.ingest.input_files import InputFileError, locate, sha256_of
from pipeline.stages.publication.manifest import read_manifest
from pipeline.stages.register.refresh import expected_register
from pipeline.warehouse.connection import Warehouse
from pipeline.warehouse.versions import (
    PARENTS,
    PUBLISHED_TOGETHER,
    VersionInputs,
    data_versions,
    previous_selection,
    recorded_versions,
    stale_assets,
)


@dataclass(frozen=True)
class RefreshPlan:
    fiscal_year: str
    stale: list[str]
    reason: str

    @property
    def up_to_date(self) -> bool:
        return not self.stale


def plan_refresh(paths: Paths, fiscal_year: str, rule: YearRule, force: bool = False) -> RefreshPlan:
    """Which assets of the year to recompute under `rule`, and why."""
    everything = list(PARENTS)
    try:
        files = {spec.kind: locate(paths.raw_dir, fiscal_year, spec).path for spec in (FIRMS, TRANSACTIONS)}
    except InputFileError:
        return RefreshPlan(fiscal_year, everything, "input files need checking")
    if force:  # everything runs, and ingest hashes what it reads
        return RefreshPlan(fiscal_year, everything, "--force")
    # Hashed from their content on every plan: a same-size, same-mtime correction is seen.
    hashes = {kind: sha256_of(path) for kind, path in files.items()}
    year = int(fiscal_year)
    with Warehouse(path=str(paths.duckdb_path)).connect() as con:
        recorded = recorded_versions(con, year)
        previous = previous_selection(con, year)
        expected = data_versions(VersionInputs.expected(hashes, rule, previous, expected_register(paths)))
    stale = stale_assets(expected, recorded, GUARDED_ASSETS)
    manifest = read_manifest(paths.marts_dir / fiscal_year)
    if manifest is None or manifest.get("data_versions") != expected:
        stale = [a for a in PARENTS if a in {*stale, *PUBLISHED_TOGETHER}]
    if not stale:
        return RefreshPlan(fiscal_year, [], "up to date")
    reason = (
        "the live release was made from other inputs, code or rule"
        if stale[0] in PUBLISHED_TOGETHER
        else (f"{stale[0]} and what follows it: changed inputs, code or rule, or left by a failed run")
    )
    return RefreshPlan(fiscal_year, stale, reason)


def selection_of(plan: RefreshPlan) -> list[dg.AssetKey]:
    return [dg.AssetKey(asset) for asset in plan.stale]
