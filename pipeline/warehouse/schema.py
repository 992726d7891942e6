"""The warehouse's tables follow the models: one file per table (`sql/tables/<table>.sql`) beside
the stage that fills it, one per view (`sql/views/<view>.sql`).

When the schema's stamp changes, each table is compared with its file. A missing table is
created; one whose columns differ (added, removed, retyped or reordered) is rebuilt in the file's
shape with its rows carried over by column name, new columns empty. The assets whose files
changed have new code versions, so the next run recomputes them: an empty new column is never
published. A row that cannot be carried over (a type that does not cast) stops the set-up with
a message rather than dropping data.
"""

from __future__ import annotations

import duckdb

from pipeline.queries import sql_files, sql_path

SCRATCH = "shape_of_models"

# The project's macros: the firm's identity, the general ones, then the contract's rules (§3
# degrees, §4 selection), each written once. The warehouse keeps them in its catalog (created
# with its tables and views, under the schema stamp), so its connections and cursors find them:
# creating them on each of a run's ~100 cursors cost 20-50 ms each. An in-memory DuckDB loads
# them itself.
MACROS = ("firm_identity", "macros", "contract_degrees", "contract_rule")


def _text(name: str) -> str:
    return sql_path(name).read_text(encoding="utf-8")


def load_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the project's macros in `con`'s database (an in-memory one, or a warehouse's set-up)."""
    for name in MACROS:
        con.execute(_text(name))


def model_files(kind: str) -> list[str]:
    """The query names of every table (kind 'tables') or view ('views') file."""
    return sorted(name for name in sql_files() if name.startswith(f"{kind}/"))


def schema_text() -> str:
    """Every table and view definition, for the schema's stamp."""
    names = ("warehouse_setup", *model_files("tables"), *model_files("views"))
    return "\n".join(_text(name) for name in names)


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ? "
        "order by column_index",
        [schema, table],
    ).fetchall()


def _wanted_shape(con: duckdb.DuckDBPyConnection, table: str, ddl: str) -> list[tuple[str, str]]:
    """The columns the table's file makes, found by making it in a scratch schema."""
    con.execute(f"drop table if exists {SCRATCH}.{table}")
    con.execute(f"set schema = '{SCRATCH}'")
    try:
        con.execute(ddl)
    finally:
        con.execute("set schema = 'main'")
    return _columns(con, SCRATCH, table)


def _rebuild(con: duckdb.DuckDBPyConnection, table: str, ddl: str, held: list[tuple[str, str]]) -> None:
    wanted = [name for name, _ in _wanted_shape(con, table, ddl)]
    kept = [name for name, _ in held if name in wanted]
    old = f"{table}__before_rebuild"
    columns = ", ".join(f'"{name}"' for name in kept)
    con.execute("begin transaction")  # all or nothing: a failed rebuild leaves the table as it was
    try:
        con.execute(f"alter table main.{table} rename to {old}")
        con.execute(ddl)
        con.execute(f"insert into main.{table} ({columns}) select {columns} from main.{old}")
        con.execute(f"drop table main.{old}")
        con.execute("commit")
    except duckdb.Error as error:
        con.execute("rollback")
        raise RuntimeError(
            f"the warehouse table {table} cannot take its rows into its new shape ({error}); "
            "the warehouse holds only what the pipeline computes: delete it and run again"
        ) from None


def ensure_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create or rebuild every table to its file's shape, then every view; the tables rebuilt."""
    con.execute(_text("warehouse_setup"))
    con.execute(f"create schema if not exists {SCRATCH}")
    for view in model_files("views"):  # views are made again after the tables they read
        con.execute(f"drop view if exists main.{view.split('/', 1)[1]}")
    rebuilt = []
    for name in model_files("tables"):
        table, ddl = name.split("/", 1)[1], _text(name)
        held = _columns(con, "main", table)
        if not held:
            con.execute(ddl)
        elif held != _wanted_shape(con, table, ddl):
            _rebuild(con, table, ddl, held)
            rebuilt.append(table)
    con.execute(f"drop schema {SCRATCH} cascade")
    load_macros(con)  # before the views, which call them (staged_firms names firms by firm_id)
    for view in model_files("views"):
        con.execute(_text(view))
    return rebuilt
