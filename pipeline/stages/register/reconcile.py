"""The reconciliation of one fiscal year's staged firms with the register the warehouse holds."""

from __future__ import annotations

import duckdb

from pipeline.stages.register.load import NO_REGISTER, ensure_register_tables, usable_register
from pipeline.warehouse.connection import fetch_records, replace_partition, run_sql


def reconcile(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> str:
    """Replace the year's matches with the held register's; returns the register version used
    (NO_REGISTER when there is none: the year then has no matches); RegisterNotChecked when the
    register held failed its checks. Call inside a transaction."""
    version, register_date = usable_register(con)
    con.execute("delete from firm_register_matches where fiscal_year = ?", [fiscal_year])
    if version != NO_REGISTER:
        replace_partition(
            con,
            "firm_register_matches",
            "register/firm_register_matches",
            fiscal_year,
            register_date=register_date,
        )
    con.execute("delete from register_match_inputs where fiscal_year = ?", [fiscal_year])
    run_sql(con, "register/record_match_input", fiscal_year=fiscal_year, register_version=version)
    return version


def match_summary(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> dict[str, int]:
    """The year's reconciliation in figures."""
    rows = fetch_records(con, "register/match_summary", fiscal_year=fiscal_year)
    return {k: int(v or 0) for k, v in rows[0].items()}


def matched_register_version(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> str | None:
    """The register version the year's matches were made from, as recorded with them."""
    ensure_register_tables(con)
    rows = con.execute(
        "select register_version from register_match_inputs where fiscal_year = ?", [fiscal_year]
    ).fetchall()
    return rows[0][0] if rows else None
