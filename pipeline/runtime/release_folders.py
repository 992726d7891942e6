"""Releases: a fiscal year's files published all at once, or not at all, and kept.

A run writes its files whole into a draft, `<marts>/.drafts/<year>-<run>/`, which nobody reads.
When every gate has passed, the draft is renamed into `<marts>/.releases/<release id>/` (one
atomic rename), its files are made read-only, and `<marts>/<year>` — a symbolic link — is
switched to it with one atomic rename. The release is then recorded in the registry and
`<marts>/releases.parquet` / `.csv` list every release. No run ever deletes a release: only
`python -m pipeline releases prune` does, by an explicit retention rule. A run that fails or
is killed leaves at most a draft, which the next run of that year removes and which can
never be published: a run publishes only its own draft.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from pathlib import Path

import duckdb

from pipeline.warehouse.connection import sql_literal

BOM = b"\xef\xbb\xbf"
DRAFTS = ".drafts"
RELEASES = ".releases"


def release_id(fiscal_year: int, run_id: str) -> str:
    """A release is named by its year and its run: `2025-1a2b3c4d`."""
    return f"{fiscal_year}-{run_id[:8]}"


def draft_folder_path(marts_dir: Path, fiscal_year: int, run_id: str) -> Path:
    """The folder a run builds its publication of a fiscal year in."""
    return marts_dir / DRAFTS / release_id(fiscal_year, run_id)


def release_folder_path(marts_dir: Path, release: str) -> Path:
    return marts_dir / RELEASES / release


def new_draft_folder(marts_dir: Path, fiscal_year: int, run_id: str) -> Path:
    """A fresh, empty draft folder; the drafts of the year's failed or killed runs go."""
    folder = draft_folder_path(marts_dir, fiscal_year, run_id)
    for draft in (marts_dir / DRAFTS).glob(f"{fiscal_year}-*"):
        shutil.rmtree(draft, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def copy_parquet(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """Write a query's rows to Parquet (row order kept)."""
    con.execute(f"copy ({query}) to {sql_literal(str(path))} (format parquet, compression zstd)")


def copy_bom_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """Write a query's rows as RFC 4180 CSV in UTF-8 with BOM, so Excel in Japan reads it."""
    plain = path.with_suffix(".plain.csv")
    con.execute(
        f"copy ({query}) to {sql_literal(str(plain))} (format csv, header true, delimiter ',', quote '\"')"
    )
    with plain.open("rb") as source, path.open("wb") as target:
        target.write(BOM)
        shutil.copyfileobj(source, target, 1024 * 1024)
    plain.unlink()


def live_release(marts_dir: Path, fiscal_year: int) -> str | None:
    """The id of the year's live release, or None when the year is not published."""
    link = marts_dir / str(fiscal_year)
    if not link.is_symlink():
        return None
    target = Path(os.readlink(link))
    return target.name if target.parent.name == RELEASES else None


def promote(marts_dir: Path, draft: Path) -> Path:
    """Turn a checked draft into an immutable release folder; returns the release folder."""
    release = release_folder_path(marts_dir, draft.name)
    release.parent.mkdir(parents=True, exist_ok=True)
    os.replace(draft, release)
    read_only = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
    for path in release.rglob("*"):
        if path.is_file():
            path.chmod(read_only)
    return release


def switch_to(marts_dir: Path, fiscal_year: int, release: Path) -> None:
    """Make `release` the year's publication in one atomic step. A plain folder found at the
    year's place (a copy put there by hand) is kept as a release of its own, never deleted."""
    link = marts_dir / str(fiscal_year)
    if link.is_dir() and not link.is_symlink():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        link.rename(marts_dir / RELEASES / f"{fiscal_year}-plain-folder-{stamp}")
    pending = marts_dir / f".{fiscal_year}.switching"
    if pending.is_symlink() or pending.exists():
        pending.unlink()
    pending.symlink_to(release.relative_to(marts_dir), target_is_directory=True)
    os.replace(pending, link)


def remove_release_folder(folder: Path) -> None:
    """Delete a release folder whose files are read-only (prune only)."""
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IWUSR | stat.S_IRUSR)
    shutil.rmtree(folder)
