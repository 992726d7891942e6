"""The warehouse file: tables of an older shape are replaced when a connection opens; a damaged
file is one line naming it and what to do."""

from __future__ import annotations

import random

import dagster as dg
import duckdb
import pytest

from pipeline.warehouse.connection import Warehouse
from tests.conftest import cli, firm, paths_under, sale, write_inputs


def test_older_checked_transactions_are_replaced(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table checked_transactions (fiscal_year integer, row_number bigint, "
            "supplier_corporate_number varchar, customer_corporate_number varchar, amount_jpy bigint, "
            "supplier_prefecture_code varchar, customer_prefecture_code varchar, source_file varchar, "
            "reason varchar)"
        )
        con.execute("insert into checked_transactions values (2025, 1, 'a', 'b', 5, '13', '13', 'f', null)")
        con.execute(
            "create view staged_transactions as select * from checked_transactions where reason is null"
        )
    with Warehouse(path=str(path)).connect() as con:
        columns = [r[0] for r in con.execute("describe checked_transactions").fetchall()]
        assert "supplier_key" in columns and "supplier_corporate_number" not in columns
        assert con.execute("select count(*) from staged_transactions").fetchone() == (0,)
        assert "supplier_prefecture_code" in [
            r[0] for r in con.execute("describe staged_transactions").fetchall()
        ]
    with Warehouse(path=str(path)).connect() as con:  # the current shape is left alone
        con.execute("insert into checked_transactions (fiscal_year, row_number) values (2025, 1)")
    with Warehouse(path=str(path)).connect() as con:
        assert con.execute("select count(*) from checked_transactions").fetchone() == (1,)


def test_schema_is_set_up_once_per_schema_stamp(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with Warehouse(path=str(path)).connect() as con:
        assert con.execute("select count(*) from prefectures").fetchone() == (47,)
        con.execute("drop table blocks")  # a stamped warehouse is trusted: nothing re-creates it
    with Warehouse(path=str(path)).connect() as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert "blocks" not in tables
        assert con.execute("select parse_integer('12')").fetchone() == (12,)  # macros every time
        con.execute("update warehouse_schema set stamp = 'an older schema'")
    with Warehouse(path=str(path)).connect() as con:
        assert con.execute("select count(*) from blocks").fetchone()[0] > 0


def test_a_run_holds_the_database_and_each_step_gets_a_cursor(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = Warehouse(path=str(path))
    warehouse.setup_for_execution(dg.build_init_resource_context())
    held = warehouse.held_connection
    assert held is not None
    with warehouse.connect() as con:
        assert con is not held
        con.execute("create table written_by_a_step as select parse_integer('7') as x")  # macros too
    assert held.execute("select x from written_by_a_step").fetchall() == [(7,)]
    warehouse.teardown_after_execution(dg.build_init_resource_context())
    assert warehouse.held_connection is None
    with duckdb.connect(str(path), read_only=True) as con:  # released: a read-only open works
        assert con.execute("select x from written_by_a_step").fetchall() == [(7,)]


def _damaged(kind: str, path) -> None:
    """A warehouse file that is zero bytes, not DuckDB at all, or a real one cut short or garbled."""
    if kind == "zero-length":
        path.write_bytes(b"")
        return
    if kind == "not-duckdb":
        path.write_bytes(random.Random(5).randbytes(20_000))
        return
    with Warehouse(path=str(path)).connect() as con:
        con.execute("create table filler as select range as n, repeat('x', 100) as text from range(20000)")
    data = bytearray(path.read_bytes())
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 3])
    else:
        data[8192 : 8192 + 4096] = b"\xff" * 4096
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["zero-length", "not-duckdb", "truncated", "garbled"])
# explain reads a published release first (tests/test_explain.py): with none, it says so.
@pytest.mark.parametrize("args", [("run",), ("run", "--force")], ids=" ".join)
def test_a_damaged_warehouse_is_one_line_naming_the_file_and_what_to_do(tmp_path, kind, args):
    paths = paths_under(tmp_path)
    write_inputs(paths.raw_dir, [firm(1), firm(2, "27")], [sale(1, 2, 1_000)])
    _damaged(kind, paths.duckdb_path)
    done = cli(paths, *args)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {paths.duckdb_path}: the warehouse cannot be used (")
    assert done.stderr.rstrip().endswith(
        "move the file aside (or delete it) and run `python -m pipeline run --force`"
    )
    assert done.stderr.count("\n") == 1, done.stderr
