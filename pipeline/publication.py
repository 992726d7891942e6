"""Publishing a fiscal year's files all at once, or not at all.

A publication is built whole in `<marts>/.releases/<year>-<run>/`, and then
`<marts>/<year>` — a symbolic link — is switched to it with one atomic rename.
The release before it is kept for a quick look back; older ones are removed.
A run that fails or is killed before the switch leaves the previous
publication as it was; readers never see a half-written folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from pipeline.warehouse import sql_literal

BOM = b"\xef\xbb\xbf"
RELEASES = ".releases"


def release_folder_path(marts_dir: Path, fiscal_year: int, run_id: str) -> Path:
    """The folder a run builds its publication of a fiscal year in."""
    return marts_dir / RELEASES / f"{fiscal_year}-{run_id[:8]}"


def release_folder(marts_dir: Path, fiscal_year: int, run_id: str) -> Path:
    """A fresh, empty folder to build one publication in."""
    folder = release_folder_path(marts_dir, fiscal_year, run_id)
    if folder.exists():
        shutil.rmtree(folder)
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


def switch_to(marts_dir: Path, fiscal_year: int, folder: Path) -> None:
    """Make `folder` the year's publication in one atomic step; keep the one before it."""
    link = marts_dir / str(fiscal_year)
    previous = link.resolve() if link.is_symlink() else None
    if link.is_dir() and not link.is_symlink():
        # A plain folder from elsewhere: keep it as the previous release, then link.
        previous = marts_dir / RELEASES / f"{fiscal_year}-previous-folder"
        link.rename(previous)
    pending = marts_dir / f".{fiscal_year}.switching"
    if pending.is_symlink() or pending.exists():
        pending.unlink()
    pending.symlink_to(folder.relative_to(marts_dir), target_is_directory=True)
    os.replace(pending, link)
    _prune(marts_dir, fiscal_year, keep={folder.resolve(), previous})


def _prune(marts_dir: Path, fiscal_year: int, keep: set[Path | None]) -> None:
    """Remove the year's other releases, including drafts of failed or killed runs."""
    for release in (marts_dir / RELEASES).glob(f"{fiscal_year}-*"):
        if release.resolve() not in keep:
            shutil.rmtree(release, ignore_errors=True)
