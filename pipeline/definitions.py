"""The Dagster code location: every asset, the job that runs them, and their resources."""

from __future__ import annotations

import dagster as dg

from assets.charts import prefecture_charts
from assets.composite import composite_indicators
from assets.degrees import firm_degrees
from assets.flows import firm_flows
from assets.indicators import firm_indicators, firm_size_classes, prefecture_kpis
from assets.ingest import raw_firms, raw_transactions
from assets.prefecture_totals import prefecture_totals
from assets.publication import publication_draft, published_lists
from assets.selection import candidate_selection
from assets.staging import stage_firms, stage_transactions
from pipeline.automation import JOB_NAME, WAREHOUSE_TAG, half_yearly_refresh, raw_data_sensor
from pipeline.designations.asset import ichiran, ichiran_publication
from pipeline.quality.checks import ASSET_CHECKS
from pipeline.resources import resources_from
from pipeline.settings import Paths

ASSETS = [
    raw_firms,
    raw_transactions,
    stage_firms,
    stage_transactions,
    firm_flows,
    prefecture_totals,
    firm_degrees,
    firm_size_classes,
    firm_indicators,
    composite_indicators,
    candidate_selection,
    prefecture_kpis,
    publication_draft,
    prefecture_charts,
    published_lists,
]


candidate_lists = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(ichiran),  # the 一覧 is not per year
    description="One fiscal year from raw files to the published candidate lists.",
    # The instance lets one run with this tag at a time: they share one DuckDB file.
    tags={WAREHOUSE_TAG: "candidate_lists"},
)


def build_definitions(paths: Paths | None = None) -> dg.Definitions:
    """Definitions for the given paths (default: from the environment)."""
    return dg.Definitions(
        assets=[*ASSETS, ichiran],
        asset_checks=ASSET_CHECKS,
        jobs=[candidate_lists, ichiran_publication],
        sensors=[raw_data_sensor],
        schedules=[half_yearly_refresh],
        resources=resources_from(paths or Paths.from_env()),
        # One process: DuckDB allows one writer per database file.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
