"""Where the pipeline reads and writes, taken from the environment.

Relative paths in the environment are taken from the current directory; the
defaults are inside the repository, so `make run` and the Dagster UI agree.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
# A checkout (editable install) keeps its data beside the code, so `make run` and the Dagster UI
# agree; an installed wheel has no project folder, and works in the current directory.
IN_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file()
PROJECT_ROOT = _CHECKOUT if IN_CHECKOUT else Path.cwd()


def _path_from_env(variable: str, default: str) -> Path:
    value = os.environ.get(variable)
    if value:
        return Path(value).expanduser().resolve()
    return PROJECT_ROOT / default


def total_memory_bytes() -> int:
    """Physical memory of this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def duckdb_memory_limit() -> str:
    """DUCKDB_MEMORY_LIMIT, or a safe share of the machine: a sixth of its memory, at least
    1 GB and at most 3 GB, so that the whole run stays near 4 GB; beyond it DuckDB spills to disk."""
    configured = os.environ.get("DUCKDB_MEMORY_LIMIT")
    if configured:
        return configured
    share = total_memory_bytes() // 6
    return f"{max(1, min(3, share // 2**30))}GB"


def duckdb_threads() -> int:
    """DUCKDB_THREADS, or every core."""
    return int(os.environ.get("DUCKDB_THREADS") or os.cpu_count() or 1)


@dataclass(frozen=True)
class Paths:
    raw_dir: Path
    marts_dir: Path
    duckdb_path: Path
    dagster_home: Path
    registry_path: Path
    # The 国税庁 corporate register's files (pipeline/register); None: no register.
    houjin_dir: Path | None = None

    @classmethod
    def from_env(cls) -> Paths:
        return cls(
            raw_dir=_path_from_env("DATA_RAW_DIR", "data/raw"),
            marts_dir=_path_from_env("DATA_MARTS_DIR", "data/marts"),
            duckdb_path=_path_from_env("DUCKDB_PATH", "data/warehouse.duckdb"),
            dagster_home=_path_from_env("DAGSTER_HOME", ".dagster"),
            registry_path=_path_from_env("REGISTRY_PATH", "data/registry.sqlite3"),
            houjin_dir=_path_from_env("HOUJIN_DIR", "data/reference/houjin"),
        )


# Four ASCII digits: str.isdigit() would also take ２０２５ (run as 2025, its files never read) and 202².
_FISCAL_YEAR = re.compile("[0-9]{4}")


def fiscal_years_in(raw_dir: Path) -> list[str]:
    """Fiscal-year partitions: the folders under the raw directory named by four ASCII digits."""
    if not raw_dir.is_dir():
        return []
    return sorted(p.name for p in raw_dir.iterdir() if p.is_dir() and _FISCAL_YEAR.fullmatch(p.name))


def skipped_year_folders(raw_dir: Path) -> list[Path]:
    """The folders under the raw directory that are not fiscal years (2025a, R7, ２０２５), which
    are never run and deserve a warning; hidden folders are left out."""
    if not raw_dir.is_dir():
        return []
    return sorted(
        p
        for p in raw_dir.iterdir()
        if p.is_dir() and not p.name.startswith(".") and not _FISCAL_YEAR.fullmatch(p.name)
    )


def fiscal_year_argument(text: str) -> str:
    """A fiscal year given on the command line: four ASCII digits."""
    if not _FISCAL_YEAR.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a fiscal year (four ASCII digits, e.g. 2025)")
    return text
