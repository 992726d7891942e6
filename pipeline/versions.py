"""Code versions and data versions, so that unchanged work is never redone.

An asset's code version is a hash of the source files that define it. Its data
version is a hash of its code version, the data versions of its parents and, for
the raw assets, the SHA-256 of the input file; for the selection, the rule too; for
the staged transactions, the amount rule (issue 8).
So the versions of a whole fiscal year can be computed before running anything,
and an asset is stale exactly when its computed version differs from the one
recorded at the last good publication.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache

import dagster as dg
import duckdb

from pipeline.amounts import DEFAULT_AMOUNT_RULE_JSON
from pipeline.settings import PROJECT_ROOT
from pipeline.warehouse import fetch_rows

_SHARED = ("pipeline/warehouse.py", "sql/schema.sql", "sql/macros.sql")

_INDICATOR_SOURCES = (
    "assets/indicators.py",
    "sql/block_crossings.sql",
    "sql/firm_indicators.sql",
    "sql/block_degrees.sql",
    "pipeline/blocks.py",
)

_TRANSACTION_STAGING = (
    "assets/staging.py",
    "sql/transaction_checks.sql",
    "sql/transaction_repeats.sql",
    "sql/estimate_amounts.sql",
    "sql/estimated_amounts.sql",
    "sql/forget_amount_rule.sql",
    "sql/record_amount_rule.sql",
    "pipeline/amounts.py",
)

_INGEST = (
    "assets/ingest.py",
    "pipeline/input_files.py",
    "pipeline/csv_records.py",
    "pipeline/contract.py",
    "sql/csv_copy.sql",
    "sql/parquet_copy.sql",
    "sql/raw_view.sql",
)

# The files whose content defines each asset (besides the shared ones above).
ASSET_SOURCES: dict[str, tuple[str, ...]] = {
    "raw_firms": _INGEST,
    "raw_transactions": _INGEST,
    "staged_firms": ("assets/staging.py", "sql/firm_checks.sql"),
    "quarantined_firms": ("assets/staging.py", "sql/firm_checks.sql", "sql/quarantined_firms.sql"),
    "staged_transactions": _TRANSACTION_STAGING,
    "quarantined_transactions": (*_TRANSACTION_STAGING, "sql/quarantined_transactions.sql"),
    "firm_flows": ("assets/flows.py", "sql/firm_flows.sql"),
    "prefecture_totals": (
        "assets/prefecture_totals.py",
        "sql/prefecture_totals.sql",
        "pipeline/prefectures.py",
    ),
    "firm_degrees": ("assets/degrees.py", "sql/firm_degrees.sql"),
    "firm_size_classes": ("assets/indicators.py", "sql/firm_size_classes.sql"),
    # One step makes both, so both change together (Dagster runs the step whole).
    "firm_indicators": _INDICATOR_SOURCES,
    "block_degrees": _INDICATOR_SOURCES,
    "composite_indicators": (
        "assets/composite.py",
        "sql/composite_degrees.sql",
        "sql/composite_indicators.sql",
        "sql/composite_summary.sql",
    ),
    "candidate_selection": (
        "assets/selection.py",
        "sql/candidate_selection.sql",
        "pipeline/rule.py",
        "pipeline/contract.py",
    ),
    "prefecture_kpis": ("assets/indicators.py", "sql/prefecture_kpis.sql"),
    "publication_draft": (
        "assets/publication.py",
        "pipeline/publication.py",
        "pipeline/contract.py",
        "sql/national_candidates.sql",
        "sql/published_firm_degrees.sql",
        "sql/published_quarantine.sql",
        "sql/candidate_changes.sql",
        "sql/block_candidates.sql",
        "sql/published_prefecture_kpis.sql",
        "sql/published_composite_scores.sql",
    ),
    "prefecture_charts": ("assets/charts.py", "pipeline/charts.py", "sql/chart_points.sql"),
    "published_lists": (
        "assets/publication.py",
        "pipeline/publication.py",
        "pipeline/manifest.py",
        "pipeline/amounts.py",
        "sql/amount_rule.sql",
        "sql/estimated_amounts.sql",
        "sql/manifest_estimated_shares.sql",
    ),
}

# Each asset's parents, in the order data flows. The assets take their Dagster deps from here,
# so the lineage Dagster shows and the one data versions follow are the same by construction.
PARENTS: dict[str, tuple[str, ...]] = {
    "raw_firms": (),
    "raw_transactions": (),
    "staged_firms": ("raw_firms",),
    "quarantined_firms": ("raw_firms",),
    "staged_transactions": ("raw_transactions", "staged_firms"),
    "quarantined_transactions": ("raw_transactions", "staged_firms"),
    "firm_flows": ("staged_firms", "staged_transactions"),
    "prefecture_totals": ("firm_flows",),
    "firm_degrees": ("firm_flows", "prefecture_totals"),
    "firm_size_classes": ("staged_firms",),
    "firm_indicators": ("firm_flows", "staged_transactions"),
    "block_degrees": ("firm_flows", "staged_transactions"),
    "composite_indicators": ("firm_degrees", "staged_firms"),
    "candidate_selection": ("firm_degrees", "firm_size_classes", "composite_indicators"),
    "prefecture_kpis": ("prefecture_totals", "candidate_selection"),
    "publication_draft": (
        "candidate_selection",
        "composite_indicators",
        "quarantined_firms",
        "quarantined_transactions",
        "firm_indicators",
        "block_degrees",
        "prefecture_kpis",
    ),
    "prefecture_charts": ("publication_draft", "candidate_selection"),
    "published_lists": ("publication_draft", "prefecture_charts"),
}

RAW_INPUT = {"raw_firms": "firms", "raw_transactions": "transactions"}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@cache
def code_version(asset: str) -> str:
    """A hash of the source files that define `asset`."""
    digest = hashlib.sha256()
    for relative in (*_SHARED, *ASSET_SOURCES[asset]):
        path = PROJECT_ROOT / relative
        digest.update(relative.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def data_versions(
    input_sha256: Mapping[str, str],
    rule_json: str | None,
    previous_selection: str | None = None,
    amount_rule_json: str = DEFAULT_AMOUNT_RULE_JSON,
) -> dict[str, str]:
    """The data version of every asset of a fiscal year, from its inputs' hashes, the rule, the
    amount rule and (for the year-over-year change list) the previous year's selection. Assets
    whose inputs are not known yet (a file not hashed, no rule) are left out."""
    versions: dict[str, str] = {}
    for asset, parents in PARENTS.items():
        if any(p not in versions for p in parents):
            continue
        parts = [asset, code_version(asset), *(versions[p] for p in parents)]
        if asset in RAW_INPUT:
            if RAW_INPUT[asset] not in input_sha256:
                continue
            parts.append(input_sha256[RAW_INPUT[asset]])
        if asset in ("staged_transactions", "quarantined_transactions"):
            parts.append(amount_rule_json)
        if asset == "candidate_selection":
            if rule_json is None:
                continue
            parts.append(rule_json)
        if asset in ("publication_draft", "prefecture_kpis"):
            parts.append(previous_selection or "no previous year")
        versions[asset] = _digest(*parts)
    return versions


def warehouse_data_versions(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> dict[str, str]:
    """Data versions from what the warehouse holds for the year: input hashes and the rule."""
    hashes = dict(fetch_rows(con, "input_hashes", fiscal_year=fiscal_year))
    rule = fetch_rows(con, "selection_rule", fiscal_year=fiscal_year)
    amounts = fetch_rows(con, "amount_rule", fiscal_year=fiscal_year)
    return data_versions(
        hashes,
        rule[0][0] if rule else None,
        previous_selection(con, fiscal_year),
        amounts[0][0] if amounts else DEFAULT_AMOUNT_RULE_JSON,
    )


def recorded_versions(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> dict[str, str]:
    """Data versions recorded at the year's last good publication."""
    return dict(fetch_rows(con, "recorded_asset_versions", fiscal_year=fiscal_year))


def previous_selection(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> str | None:
    """The previous year's selection version, which the change list depends on."""
    return recorded_versions(con, fiscal_year - 1).get("candidate_selection")


def data_version_of(con: duckdb.DuckDBPyConnection, fiscal_year: int, asset: str) -> dg.DataVersion | None:
    """The data version Dagster records for an asset's materialisation."""
    version = warehouse_data_versions(con, fiscal_year).get(asset)
    return dg.DataVersion(version) if version else None


# The draft is written into a release folder of its run, so these always run together.
PUBLISHED_TOGETHER = ("publication_draft", "prefecture_charts", "published_lists")


def stale_assets(expected: Mapping[str, str], recorded: Mapping[str, str]) -> list[str]:
    """Assets whose computed version differs from the recorded one, in data-flow order; if
    any of PUBLISHED_TOGETHER is stale, all of them are."""
    stale = {asset for asset in PARENTS if recorded.get(asset) != expected[asset]}
    if stale & set(PUBLISHED_TOGETHER):
        stale |= set(PUBLISHED_TOGETHER)
    return [asset for asset in PARENTS if asset in stale]
