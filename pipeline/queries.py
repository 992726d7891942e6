"""Where the SQL files are: each stage keeps its own in a `sql/` folder beside its assets.

A query is named by its path inside the nearest `sql/` folder, without `.sql`:
`pipeline/stages/degrees/sql/checks/degrees_sum_to_one.sql` is `checks/degrees_sum_to_one`.
Names are unique across the package, so a caller needs no path and a moved stage keeps its names.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT).with_suffix("").parts
    last_sql = len(parts) - 1 - parts[::-1].index("sql")
    return "/".join(parts[last_sql + 1 :])


@cache
def sql_files() -> dict[str, Path]:
    """Every query of the package by name; two files with one name are an error."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.sql")):
        if "sql" not in path.relative_to(PACKAGE_ROOT).parts[:-1]:
            continue
        name = _name(path)
        if name in found:
            raise RuntimeError(f"two SQL files are named {name!r}: {found[name]} and {path}")
        found[name] = path
    return found


def sql_path(name: str) -> Path:
    """The file of the query `name`."""
    try:
        return sql_files()[name]
    except KeyError:
        raise KeyError(f"no SQL file is named {name!r} under {PACKAGE_ROOT}") from None
