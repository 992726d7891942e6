"""manifest.json: what a publication was made from, by what, and what it holds.

Everything an auditor needs to reproduce a publication and to check its bytes.
Timestamps live here only; the data files themselves are deterministic.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from pipeline.registry.amounts import DEFAULT_AMOUNT_RULE_JSON
from pipeline.registry.rule import YearRule
from pipeline.settings import IN_CHECKOUT, PROJECT_ROOT
from pipeline.stages.ingest.input_files import sha256_of
from pipeline.stages.staging.amount_estimates import estimate_summary
from pipeline.warehouse.connection import fetch_rows

MANIFEST = "manifest.json"
PACKAGES = ("dagster", "duckdb", "great-expectations", "polars", "pyarrow")


def code_commit() -> dict[str, Any]:
    """The git commit of the code, and whether the work tree differed from it."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), *args], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    if not IN_CHECKOUT:  # an installed wheel: its version is what can be traced
        return {"commit": "unknown", "dirty": None, "version": metadata.version("chiiki-mirai-candidates")}
    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}


def software_versions() -> dict[str, str]:
    """Versions of Python and of the libraries that computed the lists."""
    return {"python": platform.python_version(), **{p: metadata.version(p) for p in PACKAGES}}


def build_manifest(
    con: duckdb.DuckDBPyConnection,
    fiscal_year: int,
    folder: Path,
    run_id: str,
    data_versions: dict[str, str],
    rule: YearRule,
    candidates: int,
) -> dict[str, Any]:
    """The manifest of the publication in `folder`: `rule` is the rule its tables were made
    under (with its SHA-256), `candidates` the length of its national list."""
    inputs = [
        {
            "source_file": f,
            "format": fmt,
            "encoding": enc,
            "size_bytes": size,
            "rows_read": rows,
            "sha256": sha,
        }
        for f, fmt, enc, size, rows, sha in fetch_rows(con, "manifest_inputs", fiscal_year=fiscal_year)
    ]
    stage_rows = dict(fetch_rows(con, "manifest_stage_rows", fiscal_year=fiscal_year))
    quarantine = [
        {"source_file": f, "reason": reason, "rows": rows}
        for f, reason, rows in fetch_rows(con, "manifest_quarantine", fiscal_year=fiscal_year)
    ]
    outputs = [
        {"file": str(p.relative_to(folder)), "size_bytes": p.stat().st_size, "sha256": sha256_of(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    ]
    return {
        "fiscal_year": fiscal_year,
        "release_id": folder.name,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dagster_run_id": run_id,
        "code": code_commit(),
        "software": software_versions(),
        "rule": rule.selection.model_dump(),
        "quarantine_tolerance": rule.quarantine_tolerance,
        "rule_sha256": rule.sha256(),
        "candidates": candidates,
        "amounts": amounts_section(con, fiscal_year),
        "inputs": inputs,
        "rows_per_stage": stage_rows,
        "quarantined_by_reason": quarantine,
        "data_versions": data_versions,
        "outputs": outputs,
    }


def amounts_section(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> dict[str, Any]:
    """How amounts were read and, when estimated, how much of the yen is estimated,
    in all and per prefecture."""
    recorded = fetch_rows(con, "amount_rule", fiscal_year=fiscal_year)
    rule = json.loads(recorded[0][0]) if recorded else json.loads(DEFAULT_AMOUNT_RULE_JSON)
    section: dict[str, Any] = {"rule": rule}
    if rule["amount_mode"] != "estimate":
        return section
    summary = estimate_summary(con, fiscal_year)
    estimated, staged = summary["estimated_jpy"], summary["staged_jpy"]
    section.update(
        estimated_rows=summary["estimated_rows"],
        estimated_jpy=estimated,
        staged_jpy=staged,
        estimated_share_of_staged_jpy=estimated / staged if staged else None,
        suppliers_with_estimates=summary["suppliers_estimated"],
        suppliers_whose_stated_amounts_leave_nothing=summary["suppliers_without_remainder"],
        estimates_of_0_jpy=summary["zero_yen_estimates"],
        by_prefecture=[
            {
                "prefecture_code": code,
                "estimated_out_of_prefecture_sales_share": connector_share,
                "estimated_in_prefecture_purchases_share": hub_share,
            }
            for code, connector_share, hub_share in fetch_rows(
                con, "manifest_estimated_shares", fiscal_year=fiscal_year
            )
        ],
    )
    return section


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """A publication's manifest, or None when there is none."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
