"""Code versions and data versions: what the warehouse holds, and what is stale.

An asset's code version is a hash of the source files that define it. Its data version is a
hash of its code version, the data versions of its parents and its own inputs: the SHA-256 of
the bytes ingested (raw assets), the amount rule (staged transactions), the quarantine
tolerance (quarantine), the selection rule (selection), the previous year's selection (the
change list). Each asset records its version in the same transaction as its rows, computed
from the versions its parents hold, so a version can never describe rows that are not there;
its checks then mark it checked. The versions a run would make are computed up front from the
files and the year's rule in force; an asset is stale when the warehouse holds another
version, or one whose blocking checks have not passed. So whatever a failed or killed run
left behind is stale by construction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.queries import PACKAGE_ROOT
from pipeline.registry.rule import YearRule
from pipeline.warehouse.connection import fetch_rows, run_sql

# Files every asset's code depends on, besides its own stage's folder (pipeline/ relative).
_SHARED = (
    "reference",
    "warehouse/connection.py",
    "warehouse/sql/tables",
    "warehouse/sql/macros.sql",
    "warehouse/sql/firm_identity.sql",
    "registry/rule.py",
    "registry/amounts.py",
)

# The stage folder (pipeline/stages/<stage>/) that defines each asset: its code version is a hash
# of every file there, so a new or changed SQL file of the stage changes it with no list to edit.
# tests/test_layout.py checks this against where the definitions really are.
STAGE_OF: dict[str, str] = {
    "raw_firms": "ingest",
    "raw_transactions": "ingest",
    "staged_firms": "staging",
    "quarantined_firms": "staging",
    "staged_transactions": "staging",
    "quarantined_transactions": "staging",
    "corporate_register": "register",
    "firm_register_matches": "register",
    "firm_flows": "flows",
    "prefecture_totals": "flows",
    "firm_degrees": "degrees",
    "firm_size_classes": "indicators",
    "firm_indicators": "indicators",
    "block_degrees": "indicators",
    "composite_indicators": "indicators",
    "candidate_selection": "candidates",
    "prefecture_kpis": "candidates",
    "publication_draft": "publication",
    "prefecture_charts": "publication",
    "published_lists": "publication",
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
    # The register itself (corporate_register) is not per year: its version is an input here.
    "firm_register_matches": ("staged_firms",),
    "firm_flows": ("staged_firms", "staged_transactions"),
    "prefecture_totals": ("firm_flows",),
    "firm_degrees": ("firm_flows", "prefecture_totals"),
    "firm_size_classes": ("staged_firms",),
    "firm_indicators": ("firm_flows", "staged_transactions"),
    "block_degrees": ("firm_flows", "staged_transactions"),
    "composite_indicators": ("firm_degrees", "staged_firms"),
    "candidate_selection": (
        "firm_degrees",
        "firm_size_classes",
        "composite_indicators",
        "firm_register_matches",
    ),
    "prefecture_kpis": ("prefecture_totals", "candidate_selection"),
    "publication_draft": (
        "candidate_selection",
        "composite_indicators",
        "quarantined_firms",
        "quarantined_transactions",
        "firm_indicators",
        "block_degrees",
        "prefecture_kpis",
        "firm_register_matches",
    ),
    "prefecture_charts": ("publication_draft", "candidate_selection"),
    "published_lists": ("publication_draft", "prefecture_charts"),
}

RAW_INPUT = {"raw_firms": "firms", "raw_transactions": "transactions"}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _source_files(relative: str) -> list[Path]:
    path = PACKAGE_ROOT / relative
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in (".py", ".sql") and "__pycache__" not in p.parts)


@cache
def code_version(asset: str) -> str:
    """A hash of the files that define `asset`: its stage's folder and the shared files."""
    digest = hashlib.sha256()
    for relative in (*_SHARED, f"stages/{STAGE_OF[asset]}"):
        for path in _source_files(relative):
            digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


QUARANTINE_KIND = {"quarantined_firms": "firms", "quarantined_transactions": "transactions"}


@dataclass(frozen=True)
class VersionInputs:
    """What enters a fiscal year's data versions besides the code: the SHA-256 of each input
    file (by kind), the amount rule and selection rule (canonical JSON), the quarantine
    tolerance of each kind, and the previous year's selection version (the change list)."""

    input_sha256: Mapping[str, str]
    amount_rule: str | None
    selection_rule: str | None
    tolerance: Mapping[str, str]
    previous_selection: str | None
    register_version: str | None = "no register"  # the corporate register's (pipeline/register)
    # The register version staging took head offices from (register_policy register_prefecture);
    # None: the firms file's, which leaves staged_firms' version as it always was.
    prefecture_register: str | None = None

    @classmethod
    def expected(
        cls,
        input_sha256: Mapping[str, str],
        rule: YearRule,
        previous_selection: str | None,
        register_version: str = "no register",
    ) -> VersionInputs:
        """The inputs a run would use now: these files, the register and the year's rule in force."""
        tolerance = dict.fromkeys(QUARANTINE_KIND.values(), rule.quarantine_tolerance)
        return cls(
            input_sha256,
            rule.amounts.as_json(),
            rule.selection.as_json(),
            tolerance,
            previous_selection,
            register_version,
            register_version if rule.selection.uses_register_prefecture else None,
        )

    @classmethod
    def held(cls, con: duckdb.DuckDBPyConnection, fiscal_year: int) -> VersionInputs:
        """The inputs the warehouse's tables of the year were made from, as recorded with them."""
        rule = fetch_rows(con, "selection_rule", fiscal_year=fiscal_year)
        amounts = fetch_rows(con, "amount_rule", fiscal_year=fiscal_year)
        return cls(
            dict(fetch_rows(con, "input_hashes", fiscal_year=fiscal_year)),
            amounts[0][0] if amounts else None,
            rule[0][0] if rule else None,
            dict(fetch_rows(con, "quarantine_tolerances", fiscal_year=fiscal_year)),
            previous_selection(con, fiscal_year),
            matched_register(con, fiscal_year),
            next(iter(fetch_rows(con, "prefecture_source", fiscal_year=fiscal_year)), (None,))[0],
        )

    def of(self, asset: str) -> list[str] | None:
        """The parts of `asset`'s version beyond code and parents; None when one is unknown."""
        parts: list[str | None] = []
        if asset in RAW_INPUT:
            parts.append(self.input_sha256.get(RAW_INPUT[asset]))
        if asset == "staged_firms" and self.prefecture_register is not None:
            parts.append(f"head offices of register {self.prefecture_register}")
        if asset in ("staged_transactions", "quarantined_transactions"):
            parts.append(self.amount_rule)
        if asset in QUARANTINE_KIND:
            parts.append(self.tolerance.get(QUARANTINE_KIND[asset]))
        if asset == "candidate_selection":
            parts.append(self.selection_rule)
        if asset == "firm_register_matches":
            parts.append(self.register_version)
        if asset in ("publication_draft", "prefecture_kpis"):
            parts.append(self.previous_selection or "no previous year")
        return None if None in parts else parts  # type: ignore[return-value]


def asset_version(asset: str, parent_versions: Mapping[str, str], inputs: VersionInputs) -> str | None:
    """One asset's data version: a digest of its code version, its parents' data versions and
    its own inputs; None when a parent's version or one of its inputs is unknown."""
    parents = PARENTS[asset]
    extra = inputs.of(asset)
    if extra is None or any(p not in parent_versions for p in parents):
        return None
    return _digest(asset, code_version(asset), *(parent_versions[p] for p in parents), *extra)


def data_versions(inputs: VersionInputs) -> dict[str, str]:
    """The data version of every asset of a fiscal year, computed before running anything;
    assets whose inputs are not known are left out."""
    versions: dict[str, str] = {}
    for asset in PARENTS:
        version = asset_version(asset, versions, inputs)
        if version is not None:
            versions[asset] = version
    return versions


@dataclass(frozen=True)
class RecordedVersion:
    data_version: str
    checked: bool  # every blocking check of the asset passed on this version


def recorded_versions(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> dict[str, RecordedVersion]:
    """The data version of each asset as the warehouse holds it, written in the same transaction
    as the asset's rows, and whether its blocking checks passed on it."""
    return {
        asset: RecordedVersion(version, bool(checked))
        for asset, version, checked in fetch_rows(con, "recorded_asset_versions", fiscal_year=fiscal_year)
    }


def held_versions(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> dict[str, str]:
    return {asset: r.data_version for asset, r in recorded_versions(con, fiscal_year).items()}


def matched_register(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> str | None:
    """The register version the year's reconciliation was made from; None before the first."""
    # Asked, not tried: a failed query would abort the caller's transaction.
    if not fetch_rows(con, "register/has_match_inputs")[0][0]:  # a warehouse the register never touched
        return None
    rows = fetch_rows(con, "register/match_input", fiscal_year=fiscal_year)
    return rows[0][0] if rows else None


def previous_selection(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> str | None:
    """The previous year's selection version, which the change list depends on."""
    previous = recorded_versions(con, fiscal_year - 1).get("candidate_selection")
    return previous.data_version if previous else None


def forget_versions(con: duckdb.DuckDBPyConnection, fiscal_year: int, *assets: str) -> None:
    """Mark assets as not held, before work that cannot share one transaction with the record
    (files, views): a run killed half-way then leaves them stale, never falsely current."""
    for asset in assets:
        run_sql(con, "forget_asset_version", fiscal_year=fiscal_year, asset=asset)


def record_versions(
    con: duckdb.DuckDBPyConnection, fiscal_year: int, *assets: str
) -> dict[str, dg.DataVersion]:
    """Record the data versions of `assets` from what the warehouse holds (their parents'
    recorded versions and the inputs recorded with the rows); call it inside the transaction
    that writes their rows. The versions start unchecked: `mark_checked` confirms them."""
    parents = held_versions(con, fiscal_year)
    inputs = VersionInputs.held(con, fiscal_year)
    recorded = {}
    for asset in assets:
        version = asset_version(asset, parents, inputs)
        if version is None:
            raise RuntimeError(f"{asset} of {fiscal_year}: a parent or an input has no recorded version")
        run_sql(con, "forget_asset_version", fiscal_year=fiscal_year, asset=asset)
        run_sql(con, "record_asset_version", fiscal_year=fiscal_year, asset=asset, data_version=version)
        recorded[asset] = dg.DataVersion(version)
    return recorded


def mark_checked(con: duckdb.DuckDBPyConnection, fiscal_year: int, asset: str) -> None:
    """Every blocking check of the asset passed on its recorded version."""
    run_sql(con, "mark_asset_checked", fiscal_year=fiscal_year, asset=asset)


# The draft is written into a release folder of its run, so these always run together.
PUBLISHED_TOGETHER = ("publication_draft", "prefecture_charts", "published_lists")
# Assets one Dagster step makes together: a run can only make them both.
MADE_TOGETHER = (
    ("staged_firms", "quarantined_firms"),
    ("staged_transactions", "quarantined_transactions"),
    ("firm_indicators", "block_degrees"),
    PUBLISHED_TOGETHER,
)


def stale_assets(
    expected: Mapping[str, str], recorded: Mapping[str, RecordedVersion], guarded: frozenset[str]
) -> list[str]:
    """Assets whose computed version differs from the one the warehouse holds, or whose
    blocking checks (the `guarded` assets have some) have not passed on it, in data-flow order;
    with any asset of MADE_TOGETHER, the others of its group."""
    stale = {
        asset
        for asset in PARENTS
        if asset not in recorded
        or recorded[asset].data_version != expected.get(asset)
        or (asset in guarded and not recorded[asset].checked)
    }
    for together in MADE_TOGETHER:
        if stale & set(together):
            stale |= set(together)
    return [asset for asset in PARENTS if asset in stale]


def record_version(con: duckdb.DuckDBPyConnection, fiscal_year: int, asset: str) -> dg.DataVersion:
    """`record_versions` for one asset."""
    return record_versions(con, fiscal_year, asset)[asset]


def held_rule(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> YearRule:
    """The rule the warehouse's tables of the year were made under, as recorded with them."""
    inputs = VersionInputs.held(con, fiscal_year)
    tolerances = set(inputs.tolerance.values())
    if inputs.selection_rule is None or inputs.amount_rule is None or len(tolerances) != 1:
        raise RuntimeError(f"the warehouse holds no complete rule for {fiscal_year}")
    return YearRule(
        selection=json.loads(inputs.selection_rule),
        amounts=json.loads(inputs.amount_rule),
        quarantine_tolerance=tolerances.pop(),
    )
