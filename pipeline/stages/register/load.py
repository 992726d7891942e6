"""Loading the register into the warehouse: decode, parse, apply the differences, record.

Everything is replaced in one transaction, so the warehouse holds one whole register or the
previous one. The load's version is a digest of the register date and every file's SHA-256;
it counts as usable (`checked`) only after the register's blocking suite passed on it.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.stages.register.files import RegisterFiles, register_identity
from pipeline.stages.register.reading import read_register
from pipeline.warehouse.connection import fetch_rows, run_sql, sql_text, transaction

NO_REGISTER = "no register"


def register_version(files: RegisterFiles | None, identity: dict[str, str] | None = None) -> str:
    """The data version of a register: its date and its files' content; NO_REGISTER without one."""
    if files is None:
        return NO_REGISTER
    identity = register_identity(files) if identity is None else identity
    parts = [files.register_date, *(f"{name}:{sha}" for name, sha in identity.items())]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


# The register's tables before they became register_entries and views: dropped on sight (the
# next load rebuilds the register from the files).
_OLD_TABLES = ("register_rows", "corporate_register", "register_deletions")


def ensure_register_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The register's tables and views; a warehouse holding the old tables loses its register
    (it is loaded again from the files)."""
    names = ", ".join(f"'{t}'" for t in _OLD_TABLES)
    old = con.execute(
        f"select table_name from duckdb_tables() where not temporary and table_name in ({names})"
    ).fetchall()
    for (table,) in old:
        con.execute(f"drop table {table}")
    con.execute(sql_text("register/schema"))
    if old:
        con.execute("delete from register_loads")
    views = con.execute(
        f"select count(*) from duckdb_views() where not temporary and view_name in ({names})"
    ).fetchone()[0]
    if views < len(_OLD_TABLES):
        con.execute(sql_text("register/views"))


@dataclass(frozen=True)
class LoadedRegister:
    version: str
    register_date: str
    rows: int
    files: list[dict[str, object]]


def load_register(con: duckdb.DuckDBPyConnection, files: RegisterFiles, workdir: Path) -> LoadedRegister:
    """Read every file and make it the warehouse's register (not yet checked), in one
    transaction: a file with a bad line leaves the previous register as it was."""
    ensure_register_tables(con)
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp, transaction(con):
        for table in ("register_entries", "register_files", "register_superseded", "register_loads"):
            con.execute(f"delete from {table}")
        decoded = read_register(con, files, Path(tmp))
        identity = {d.file.path.name: d.sha256 for d in decoded}
        version = register_version(files, identity)
        con.execute(
            "insert into register_files values " + ", ".join("(?, ?, ?, ?, null, null)" for _ in decoded),
            [
                v
                for order, d in enumerate(decoded)
                for v in (order, d.file.path.name, d.file.kind, d.file.date)
            ],
        ).fetchall()
        con.execute(sql_text("register/apply_rows"))
        con.execute(sql_text("register/views"))
        counts = dict(con.execute("select source_file, rows from register_files").fetchall())
        rows = sum(counts.values())
        described = [
            {
                "file": d.file.path.name,
                "kind": "全件" if d.file.kind == "all" else "差分",
                "date": d.file.date.isoformat(),
                "encoding": "Unicode (UTF-8)" if d.encoding == "utf-8" else "Shift_JIS (CP932)",
                "member": d.member,
                "rows": counts.get(d.file.path.name, 0),
                "sha256": d.sha256,
            }
            for d in decoded
        ]
        run_sql(
            con,
            "register/record_load",
            register_version=version,
            register_date=files.register_date,
            files_json=json.dumps(described, ensure_ascii=False),
        )
    return LoadedRegister(version, files.register_date, rows, described)


def forget_register(con: duckdb.DuckDBPyConnection) -> None:
    """No register: its tables are emptied, and the load says so."""
    ensure_register_tables(con)
    with transaction(con):
        for table in ("register_entries", "register_files", "register_superseded"):
            con.execute(f"delete from {table}")
        con.execute("delete from register_loads")
        run_sql(
            con,
            "register/record_load",
            register_version=NO_REGISTER,
            register_date=NO_REGISTER,
            files_json="[]",
        )


def mark_register_checked(con: duckdb.DuckDBPyConnection, version: str) -> None:
    run_sql(con, "register/mark_load_checked", register_version=version)


def held_register(con: duckdb.DuckDBPyConnection) -> tuple[str, str, bool] | None:
    """(version, register date, checked) of the register the warehouse holds, if any."""
    ensure_register_tables(con)
    rows = fetch_rows(con, "register/held_load")
    return rows[0] if rows else None


class RegisterNotChecked(Exception):
    """The warehouse holds a register whose blocking suite has not passed: it is not used."""


def no_register_for(fiscal_year: int, policy: str) -> str:
    """Why a year whose rule needs the register (a stricter register_policy) cannot run."""
    return (
        f"the rule of {fiscal_year} has register_policy {policy}, but the warehouse holds no 国税庁 "
        "register: put the 全件 files in HOUJIN_DIR (data/reference/houjin/) and run again, or set "
        "--register-policy report"
    )


def usable_register(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """(version, register date) of the register a fiscal year may use: NO_REGISTER for both
    without one; RegisterNotChecked when the one held failed its checks."""
    held = held_register(con)
    if held is None or held[0] == NO_REGISTER:
        return NO_REGISTER, NO_REGISTER
    if not held[2]:
        raise RegisterNotChecked(
            f"the warehouse's register ({held[1]}) failed its checks; fix the files in HOUJIN_DIR "
            "and run again"
        )
    return held[0], held[1]
