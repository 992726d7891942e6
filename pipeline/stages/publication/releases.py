"""The record of every release: the registry's rows, releases.parquet / .csv, and pruning.

A release is recorded once it is live. If a run was killed between switching the year's link
and recording the release, the next publication (or `releases list`) records it then, from
its own manifest, so that no release that was ever live goes unlisted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.registry.store import Registry, Release
from pipeline.runtime.release_folders import (
    RELEASES,
    copy_bom_csv,
    copy_parquet,
    live_release,
    release_folder_path,
    remove_release_folder,
)
from pipeline.stages.publication.manifest import MANIFEST, read_manifest

RELEASE_LIST = "releases"
COLUMNS = (
    "release_id",
    "fiscal_year",
    "published_at",
    "dagster_run_id",
    "git_commit",
    "rule_sha256",
    "input_sha256",
    "candidates",
    "manifest_sha256",
    "superseded_at",
    "pruned_at",
    "folder",
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def release_from_manifest(marts_dir: Path, folder: Path, published_at: str) -> Release:
    """The record of the release in `folder`, from its own manifest."""
    manifest = read_manifest(folder)
    if manifest is None:
        raise FileNotFoundError(f"{folder}: no {MANIFEST}")
    return Release(
        release_id=folder.name,
        fiscal_year=int(manifest["fiscal_year"]),
        published_at=published_at,
        dagster_run_id=manifest["dagster_run_id"],
        git_commit=manifest["code"]["commit"] + ("+dirty" if manifest["code"].get("dirty") else ""),
        rule_sha256=manifest["rule_sha256"],
        input_sha256={i["source_file"]: i["sha256"] for i in manifest["inputs"]},
        candidates=int(manifest["candidates"]),
        manifest_sha256=_sha256(folder / MANIFEST),
        folder=str(folder.relative_to(marts_dir)),
    )


def register_live_release(marts_dir: Path, registry: Registry, fiscal_year: int) -> Release | None:
    """Record the year's live release if the registry lacks it; returns the live release."""
    live = live_release(marts_dir, fiscal_year)
    if live is None:
        return None
    known = registry.release(live)
    if known is not None:
        return known
    folder = release_folder_path(marts_dir, live)
    link_time = os.lstat(marts_dir / str(fiscal_year)).st_mtime
    published_at = dt.datetime.fromtimestamp(link_time, dt.UTC).isoformat(timespec="microseconds")
    release = release_from_manifest(marts_dir, folder, published_at)
    registry.record_release(release)
    return release


def release_rows(registry: Registry) -> pa.Table:
    rows = [
        {**{c: getattr(r, c) for c in COLUMNS}, "input_sha256": json.dumps(r.input_sha256, sort_keys=True)}
        for r in registry.releases()
    ]
    schema = pa.schema(
        [(c, pa.int32() if c in ("fiscal_year", "candidates") else pa.string()) for c in COLUMNS]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def write_release_list(registry: Registry, marts_dir: Path) -> Path:
    """`releases.parquet` and `releases.csv` (UTF-8 BOM) in the marts folder, each written whole
    and then swapped in."""
    with duckdb.connect() as con:
        con.register("release_list", release_rows(registry))
        for suffix, write in (("parquet", copy_parquet), ("csv", copy_bom_csv)):
            target = marts_dir / f"{RELEASE_LIST}.{suffix}"
            pending = marts_dir / f".{RELEASE_LIST}.pending.{suffix}"
            write(con, "select * from release_list", pending)
            os.replace(pending, target)
    return marts_dir / f"{RELEASE_LIST}.parquet"


def prunable(registry: Registry, marts_dir: Path, keep_days: int, now: dt.datetime) -> list[Release]:
    """Releases a prune with this retention removes: superseded ones, not live, published more
    than `keep_days` days before `now`, and still on disk."""
    cutoff = now - dt.timedelta(days=keep_days)
    live = {live_release(marts_dir, year) for year in {r.fiscal_year for r in registry.releases()}}
    return [
        r
        for r in registry.releases()
        if r.pruned_at is None
        and r.superseded_at is not None
        and r.release_id not in live
        and dt.datetime.fromisoformat(r.published_at) < cutoff
        and (marts_dir / r.folder).is_dir()
    ]


def prune(registry: Registry, marts_dir: Path, keep_days: int, dry_run: bool = False) -> list[Release]:
    """Remove what `prunable` names, recording each removal; returns the releases removed."""
    doomed = prunable(registry, marts_dir, keep_days, dt.datetime.now(dt.UTC))
    if dry_run:
        return doomed
    for release in doomed:
        folder = marts_dir / release.folder
        if folder.parent.name != RELEASES:  # never anything outside .releases
            raise RuntimeError(f"{folder} is not a release folder")
        registry.record_prune(release.release_id, f"keep {keep_days} days")
        remove_release_folder(folder)
    write_release_list(registry, marts_dir)
    return doomed
