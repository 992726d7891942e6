"""What the portal serves: the live publications under DATA_MARTS_DIR, read only.

Every file a user can download is named here, by kind; a request never supplies a path.
Quarantine files, raw inputs and the warehouse are simply not among the kinds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from pipeline.reference.prefectures import PREFECTURES

YEAR = re.compile(r"\d{4}")
PREFECTURE_NAMES = {p.code: p.name for p in PREFECTURES}


@dataclass(frozen=True)
class Marts:
    """The published lists: DATA_MARTS_DIR/<year>/, each a switched-in release with a manifest."""

    root: Path

    def years(self) -> list[int]:
        """Fiscal years with a live publication, newest first."""
        if not self.root.is_dir():
            return []
        return sorted((int(p.name) for p in self.root.iterdir() if self.folder(p.name)), reverse=True)

    def folder(self, year: int | str) -> Path | None:
        """The year's publication folder, or None if that year is not published."""
        folder = self.root / str(year)
        return folder if YEAR.fullmatch(str(year)) and (folder / "manifest.json").is_file() else None

    def manifest(self, year: int) -> dict:
        folder = self.folder(year)
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8")) if folder else {}

    def candidates(self, year: int) -> pl.DataFrame:
        """The year's national candidate list (contract §5 plus the published extension)."""
        folder = self.folder(year)
        if folder is None:
            return pl.DataFrame()
        path = folder / "national_candidates.parquet"
        return _read_candidates(str(path.resolve()), path.stat().st_mtime_ns)

    def counts(self, year: int) -> dict[str, int]:
        """Candidates per prefecture code (all 47, zero where none)."""
        frame = self.candidates(year)
        counts = dict.fromkeys(PREFECTURE_NAMES, 0)
        if frame.height:
            for code, n in frame.group_by("prefecture_code").len().iter_rows():
                counts[code] = n
        return counts

    def prefecture_file(self, year: int, code: str, kind: str) -> Path | None:
        """One of a prefecture's own files: its list (UTF-8 BOM CSV) or its chart."""
        folder = self.folder(year)
        if folder is None or code not in PREFECTURE_NAMES:
            return None
        name = {"csv": f"{code}.csv", "png": f"{code}.png"}.get(kind)
        path = folder / "prefectures" / name if name else None
        return path if path and path.is_file() else None

    def national_file(self, year: int, kind: str) -> Path | None:
        """The national list (CSV or Parquet) or the manifest, for the secretariat."""
        folder = self.folder(year)
        name = {
            "csv": "national_candidates.csv",
            "parquet": "national_candidates.parquet",
            "manifest": "manifest.json",
        }.get(kind)
        path = folder / name if folder and name else None
        return path if path and path.is_file() else None

    def listings(self, corporate_number: str) -> list[dict]:
        """Where a firm is on a published list: fiscal year and prefecture, nothing more."""
        found = []
        for year in self.years():
            frame = self.candidates(year)
            if not frame.height:
                continue
            rows = frame.filter(pl.col("corporate_number") == corporate_number)
            for code, name in rows.select("prefecture_code", "prefecture_name").iter_rows():
                found.append({"fiscal_year": year, "prefecture_code": code, "prefecture_name": name})
        return found


@lru_cache(maxsize=16)
def _read_candidates(path: str, mtime_ns: int) -> pl.DataFrame:
    """Cached per file and modification time: a new publication is a new release file."""
    return pl.read_parquet(path)
