"""Which register files HOUJIN_DIR holds, and in which order they apply.

The NTA names its files `<pref code>_<pref>_all_<YYYYMMDD>[_<n>].zip` (全件, 00–47 and 99 国外)
and `diff_<YYYYMMDD>[_<n>].zip` (差分); each zip holds one CSV of the same stem. A zip or its
extracted CSV may be given (not both). Every file that does not fit is named at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.stages.ingest.input_files import sha256_of

_FULL = re.compile(r"(?P<pref>[0-9]{2})_[A-Za-z]+_all_(?P<date>[0-9]{8})(?:_(?P<serial>[0-9]+))?")
_DIFF = re.compile(r"diff_(?P<date>[0-9]{8})(?:_(?P<serial>[0-9]+))?")
SUFFIXES = (".zip", ".csv")


class RegisterError(Exception):
    """The register cannot be used; the message has one line per problem."""


@dataclass(frozen=True)
class RegisterFile:
    path: Path
    kind: str  # "all" (全件) or "diff" (差分)
    date: dt.date
    serial: int
    prefecture: str | None  # the 全件 file's code: 00 national, 01–47, 99 国外

    @property
    def order(self) -> tuple:
        """Apply order: the 全件 data first, then the differences by date and serial."""
        return (self.kind != "all", self.date, self.serial, self.path.name)


def _parse(path: Path) -> RegisterFile | str:
    stem = path.name[: -len(path.suffix)] if path.suffix.lower() in SUFFIXES else None
    if stem is None:
        return f"{path.name}: not a register file (.zip or .csv)"
    for kind, pattern in (("all", _FULL), ("diff", _DIFF)):
        if m := pattern.fullmatch(stem):
            try:
                date = dt.datetime.strptime(m["date"], "%Y%m%d").date()
            except ValueError:
                return f"{path.name}: {m['date']} is not a date"
            prefecture = m.groupdict().get("pref")
            if prefecture is not None and not (prefecture in ("00", "99") or "01" <= prefecture <= "47"):
                return f"{path.name}: {prefecture} is not a prefecture code (00–47, 99 国外)"
            return RegisterFile(path, kind, date, int(m["serial"] or 0), prefecture)
    return (
        f"{path.name}: not named as the NTA names its files "
        "(<code>_<prefecture>_all_<YYYYMMDD>.zip or diff_<YYYYMMDD>.zip)"
    )


@dataclass(frozen=True)
class RegisterFiles:
    """The 全件 files of one date and the difference files applied after them."""

    full: tuple[RegisterFile, ...]
    differences: tuple[RegisterFile, ...]
    older_differences: tuple[RegisterFile, ...]  # dated on or before the 全件 date: already in it

    @property
    def applied(self) -> tuple[RegisterFile, ...]:
        return (*self.full, *self.differences)

    @property
    def full_date(self) -> dt.date:
        return self.full[0].date

    @property
    def register_date(self) -> str:
        """The 全件 file date and the last applied difference date: the register's version."""
        last = self.differences[-1].date.isoformat() if self.differences else "none"
        return f"全件 {self.full_date.isoformat()} + 差分 {last}"


def locate_register(folder: Path | None) -> RegisterFiles | None:
    """The register files under `folder`, or None when it holds none (the register is optional)."""
    if folder is None or not folder.is_dir():
        return None
    entries = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not entries:
        return None
    parsed = [_parse(p) for p in entries]
    problems = [p for p in parsed if isinstance(p, str)]
    files = sorted((p for p in parsed if isinstance(p, RegisterFile)), key=lambda f: f.order)
    stems: dict[str, list[str]] = {}
    for f in files:
        stems.setdefault(f.path.stem, []).append(f.path.name)
    problems += [
        f"{' and '.join(names)}: the same file twice; keep one" for names in stems.values() if len(names) > 1
    ]
    full = [f for f in files if f.kind == "all"]
    if not full:
        problems.append(
            f"{folder}: difference files but no 全件 file (<code>_<prefecture>_all_<YYYYMMDD>.zip)"
        )
    elif len({f.date for f in full}) > 1:
        dates = ", ".join(sorted({f.date.isoformat() for f in full}))
        problems.append(f"{folder}: 全件 files of several dates ({dates}); keep one month's files")
    for f in files:
        if f.path.stat().st_size == 0:
            problems.append(f"{f.path.name}: the file is empty")
    if problems:
        raise RegisterError("\n".join(problems))
    date = full[0].date
    diffs = [f for f in files if f.kind == "diff"]
    return RegisterFiles(
        tuple(full), tuple(f for f in diffs if f.date > date), tuple(f for f in diffs if f.date <= date)
    )


def register_identity(files: RegisterFiles | None) -> dict[str, str]:
    """Each applied file's SHA-256, by name in apply order; empty without a register."""
    return {} if files is None else {f.path.name: sha256_of(f.path) for f in files.applied}
