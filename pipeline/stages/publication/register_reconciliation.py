"""The year's reconciliation as published files, in the release draft beside the lists:
register_reconciliation.parquet / .csv (UTF-8 BOM) and register/<prefecture_code>.csv (by the
vendor's prefecture and the one used, all 47). Without a register nothing is written, so a
release is as before."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.reference.prefectures import PREFECTURES
from pipeline.runtime.release_folders import copy_bom_csv, copy_parquet
from pipeline.warehouse.connection import sql_for_year, sql_literal
from pipeline.warehouse.versions import matched_register

NAME = "register_reconciliation"
TEXT_COLUMNS = ("vendor_name", "register_name", "register_prefecture_name", "register_city_name")


def write_register_reconciliation(
    con: duckdb.DuckDBPyConnection, fiscal_year: int, folder: Path
) -> dict[str, int]:
    """Write the files when the year was reconciled with a register; rows written by name."""
    if matched_register(con, fiscal_year) in (None, "no register"):
        return {}
    query = sql_for_year("published_register_matches", fiscal_year)
    con.execute(f"create or replace temp table published_register as {query}")
    safe = ", ".join(f"spreadsheet_safe({c}) as {c}" for c in TEXT_COLUMNS)
    csv_query = f"select * replace ({safe}) from published_register"
    copy_parquet(con, "select * from published_register", folder / f"{NAME}.parquet")
    copy_bom_csv(con, csv_query, folder / f"{NAME}.csv")
    (folder / "register").mkdir()
    for p in PREFECTURES:
        # Both prefectures see a firm staged in the register's (register_policy register_prefecture).
        code = sql_literal(p.code)
        where = f" where vendor_prefecture_code = {code} or used_prefecture_code = {code}"
        copy_bom_csv(con, csv_query + where, folder / "register" / f"{p.code}.csv")
    rows = con.execute("select count(*) from published_register").fetchone()[0]
    return {NAME: rows}
