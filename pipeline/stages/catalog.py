"""Every stage's assets and checks, in data-flow order, for the code location and the refresh plan.

Kept out of the package's __init__: a process that draws the charts imports one stage module,
not all of Dagster with every stage."""

from __future__ import annotations

from pipeline.quality.checks import asset_checks, guarded_assets
from pipeline.stages.candidates import checks as candidates_checks
from pipeline.stages.candidates.assets import candidate_selection
from pipeline.stages.candidates.kpis import prefecture_kpis
from pipeline.stages.degrees import checks as degrees_checks
from pipeline.stages.degrees.assets import firm_degrees
from pipeline.stages.flows import checks as flows_checks
from pipeline.stages.flows.assets import firm_flows
from pipeline.stages.flows.prefecture_totals import prefecture_totals
from pipeline.stages.indicators import checks as indicators_checks
from pipeline.stages.indicators.assets import firm_indicators, firm_size_classes
from pipeline.stages.indicators.composite import composite_indicators
from pipeline.stages.ingest import checks as ingest_checks
from pipeline.stages.ingest.assets import raw_firms, raw_transactions
from pipeline.stages.publication import checks as publication_checks
from pipeline.stages.publication.assets import publication_draft, published_lists
from pipeline.stages.publication.charts import prefecture_charts
from pipeline.stages.register.assets import REGISTER_CHECKS, corporate_register, firm_register_matches
from pipeline.stages.staging import checks as staging_checks
from pipeline.stages.staging.assets import stage_firms, stage_transactions

ASSETS = [
    raw_firms,
    raw_transactions,
    stage_firms,
    stage_transactions,
    corporate_register,
    firm_register_matches,
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

_CHECKS = (
    ingest_checks,
    staging_checks,
    flows_checks,
    degrees_checks,
    indicators_checks,
    candidates_checks,
    publication_checks,
)
SUITES = tuple(suite for stage in _CHECKS for suite in stage.SUITES)
SQL_CHECKS = tuple(check for stage in _CHECKS for check in stage.SQL_CHECKS)
# The register's suite is not per fiscal year: its own check, beside the stages' (register/assets.py).
ASSET_CHECKS = [*asset_checks(SUITES, SQL_CHECKS), *REGISTER_CHECKS]
GUARDED_ASSETS = guarded_assets(SUITES, SQL_CHECKS)
