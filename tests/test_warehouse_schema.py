"""The warehouse's tables follow their files (sql/tables/): made, or rebuilt with their rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.queries import sql_path
from pipeline.warehouse.connection import Warehouse
from pipeline.warehouse.schema import ensure_tables, model_files


def _columns(con, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {table}").fetchall()]


def _declared(table: str) -> list[str]:
    """The column names in the table's file, in order, read from the text itself."""
    text = sql_path(f"tables/{table}").read_text()
    body = text[text.index("(", text.index("create table")) + 1 : text.rindex(")")]
    body = "\n".join(line.split("--")[0] for line in body.splitlines())
    columns = [part.split()[0] for part in body.split(",") if part.strip()]
    return [c for c in columns if c not in ("primary", "unique")]


def test_every_table_of_a_new_warehouse_has_its_files_columns(tmp_path: Path):
    with Warehouse(path=str(tmp_path / "w.duckdb")).connect() as con:
        for name in model_files("tables"):
            table = name.split("/", 1)[1]
            assert [c for c, _ in _columns(con, table)] == _declared(table), table
        views = {
            r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()
        }
    assert {"staged_firms", "staged_transactions"} <= views
    assert len(model_files("tables")) >= 20


def test_an_older_table_is_rebuilt_with_its_rows(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path=str(path)).connect():
        pass
    with duckdb.connect(str(path)) as con:
        con.execute(
            "insert into firm_degrees (fiscal_year, corporate_number, hub_rank) values (2025, 'x', 3)"
        )
        con.execute("alter table firm_degrees drop column connector_rank")  # a column the file has
        con.execute("alter table firm_degrees add column retired varchar")  # one it no longer has
        con.execute("alter table firm_degrees alter sales_jpy type varchar")  # a retyped column
        con.execute("update firm_degrees set sales_jpy = '12', retired = 'gone'")
        con.execute("update warehouse_schema set stamp = 'older'")
    with Warehouse(path=str(path)).connect() as con:
        assert [c for c, _ in _columns(con, "firm_degrees")] == _declared("firm_degrees")
        assert dict(_columns(con, "firm_degrees"))["sales_jpy"] == "BIGINT"
        row = con.execute(
            "select fiscal_year, corporate_number, sales_jpy, connector_rank, hub_rank from firm_degrees"
        )
        assert row.fetchall() == [(2025, "x", 12, None, 3)]


def test_rows_that_cannot_take_the_new_shape_stop_the_set_up_and_stay(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path=str(path)).connect():
        pass
    with duckdb.connect(str(path)) as con:
        con.execute("alter table firm_degrees alter sales_jpy type varchar")
        con.execute("insert into firm_degrees (fiscal_year, sales_jpy) values (2025, 'not a number')")
        with pytest.raises(RuntimeError, match="firm_degrees cannot take its rows into its new shape"):
            ensure_tables(con)
        assert con.execute("select sales_jpy from firm_degrees").fetchall() == [("not a number",)]
