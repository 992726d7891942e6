"""The DuckDB warehouse: one file, held open by a run; each stage's SQL sits in its `sql/` folder.

Python only picks which SQL file runs with which parameters; DuckDB computes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from pipeline.queries import sql_path
from pipeline.reference.blocks import block_memberships
from pipeline.reference.prefectures import PREFECTURES
from pipeline.settings import duckdb_memory_limit, duckdb_threads
from pipeline.warehouse.run_lock import RunInProgress, holding_warehouse
from pipeline.warehouse.schema import MACROS, ensure_tables, schema_text

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@cache
def sql_text(name: str) -> str:
    """The text of the query `name` (pipeline/warehouse/queries.py)."""
    return sql_path(name).read_text(encoding="utf-8")


def sql_parameters(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of `params` that `sql` refers to; DuckDB refuses unused ones."""
    wanted = set(_PARAMETER.findall(re.sub(r"--[^\n]*", "", sql)))
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"SQL parameters not supplied: {sorted(missing)}")
    return {k: params[k] for k in wanted}


def sql_for_year(name: str, fiscal_year: int) -> str:
    """the query `name` with its fiscal year filled in, for statements that take no
    parameters (COPY) or are built around a query (CREATE TABLE ... AS)."""
    sql = sql_text(name)
    sql_parameters(sql, {"fiscal_year": fiscal_year})
    return sql.replace("$fiscal_year", str(int(fiscal_year)))


def sql_literal(text: str) -> str:
    """A quoted SQL string, for the few places (COPY targets, views) that take no parameters."""
    return "'" + text.replace("'", "''") + "'"


def run_sql(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Run the query `name` (one statement) with its named parameters."""
    sql = sql_text(name)
    return con.execute(sql, sql_parameters(sql, params))


def fetch_rows(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple]:
    """Run the query `name` and fetch every row."""
    return run_sql(con, name, **params).fetchall()


def fetch_records(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run the query `name` and fetch every row as a dict keyed by column name."""
    cursor = run_sql(con, name, **params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def partition_total(
    con: duckdb.DuckDBPyConnection, table: str, column: str, fiscal_year: int, staged: bool = False
) -> int:
    """Σ column over one fiscal year of a table (of a checked table: its staged rows only)."""
    unmarked = " and reason is null" if staged else ""
    row = con.execute(
        f"select coalesce(sum({column}), 0) from {table} where fiscal_year = ?{unmarked}", [fiscal_year]
    ).fetchone()
    return int(row[0])


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Commit everything inside, or nothing."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def replace_partition(
    con: duckdb.DuckDBPyConnection, table: str, name: str, fiscal_year: int, **params: Any
) -> int:
    """Replace one fiscal year of `table` with the SELECT in the query `name`; rows inserted."""
    sql = sql_text(name)
    all_params = {"fiscal_year": fiscal_year, **params}
    con.execute(f"delete from {table} where fiscal_year = ?", [fiscal_year])
    inserted = con.execute(f"insert into {table} by name {sql}", sql_parameters(sql, all_params))
    return int(inserted.fetchone()[0])


def _insert_rows(con: duckdb.DuckDBPyConnection, insert: str, rows: list[tuple]) -> None:
    """`insert ... values` with every row in one statement: executemany costs milliseconds a row."""
    placeholders = ", ".join("(" + ", ".join("?" * len(rows[0])) + ")" for _ in rows)
    con.execute(f"{insert} values {placeholders}", [v for row in rows for v in row])


def _seed_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The 47 prefectures and the ten blocks."""
    if con.execute("select count(*) from prefectures").fetchone()[0] != len(PREFECTURES):
        _insert_rows(con, "insert or replace into prefectures", [(p.code, p.name) for p in PREFECTURES])
    memberships = block_memberships()
    if con.execute("select count(*) from blocks").fetchone()[0] != len(memberships):
        con.execute("delete from blocks")
        _insert_rows(con, "insert into blocks", memberships)


@cache
def schema_stamp() -> str:
    """A digest of everything `_set_up` writes: a warehouse stamped with it needs none of it."""
    parts = [sql_text("legacy_staged_tables"), schema_text(), *(sql_text(name) for name in MACROS)]
    parts += [repr(PREFECTURES), repr(block_memberships())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _set_up(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the tables to the current shape, unless the warehouse already carries this
    schema's stamp: the checks cost tens of milliseconds, and every command opens the file."""
    try:
        stamped = con.execute("select stamp from warehouse_schema").fetchall() == [(schema_stamp(),)]
    except duckdb.CatalogException:
        stamped = False
    if not stamped:
        for name, table_type in con.execute(sql_text("legacy_staged_tables")).fetchall():
            con.execute(f"drop {'view' if table_type == 'VIEW' else 'table'} {name}")
        ensure_tables(con)
        _seed_reference_tables(con)
        con.execute("create or replace table warehouse_schema as select ? as stamp", [schema_stamp()])


class WarehouseUnusable(Exception):
    """The warehouse file is damaged, or not a DuckDB database; the message says what to do."""


# What a damaged or foreign file raises; a file another process holds raises IOException too, and
# stays that (explain and assess say a run is in progress), as do errors in the pipeline's own SQL.
_DAMAGED = (
    duckdb.IOException,
    duckdb.SerializationException,
    duckdb.InternalException,
    duckdb.FatalException,
)


def _unusable(database: Path, error: duckdb.Error) -> WarehouseUnusable | None:
    if "Could not set lock" in str(error):
        return None
    if not isinstance(error, _DAMAGED) and type(error) is not duckdb.Error:  # "Corrupt database file"
        return None
    return WarehouseUnusable(
        f"{database}: the warehouse cannot be used ({str(error).splitlines()[0]}); everything in it is "
        "rebuilt from the input files: move the file aside (or delete it) and run "
        "`python -m pipeline run --force`"
    )


class Warehouse(dg.ConfigurableResource):
    """The DuckDB database file that holds every stage's tables.

    A run holds the database open from its first step to its last, and each step works on a
    cursor of it: opening the file and closing it (a checkpoint) on every step and every check
    cost seconds a run. Outside a run, `connect` opens the file for as long as it is used."""

    path: str
    memory_limit: str = Field(default_factory=duckdb_memory_limit)
    threads: int = Field(default_factory=duckdb_threads)
    _held: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _lock: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = getattr(context, "run", None)
        year = run.tags.get("dagster/partition", "") if run is not None else ""
        self._lock = ExitStack()
        try:
            self._lock.enter_context(holding_warehouse(Path(self.path), f"a run of {year}".strip()))
        except RunInProgress as busy:
            raise dg.Failure(description=f"the warehouse is busy: {busy}") from None
        self._held = self._open()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @property
    def held_connection(self) -> duckdb.DuckDBPyConnection | None:
        """The connection the current run holds open, if any."""
        return self._held

    def _open(self) -> duckdb.DuckDBPyConnection:
        """The database file, opened and set up; a damaged one is a WarehouseUnusable."""
        database = Path(self.path)
        database.parent.mkdir(parents=True, exist_ok=True)
        con = None
        try:
            con = duckdb.connect(
                str(database),
                config={
                    "memory_limit": self.memory_limit,
                    "threads": self.threads,
                    "temp_directory": str(database.parent / "duckdb_spill"),
                    "preserve_insertion_order": True,
                },
            )
            _set_up(con)
        except duckdb.Error as error:
            if con is not None:
                con.close()
            if (unusable := _unusable(database, error)) is None:
                raise
            raise unusable from None
        return con

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own (its own transaction and temp objects): a cursor of the
        run's database, or the file opened for this use alone."""
        con = self._held.cursor() if self._held is not None else self._open()
        try:
            yield con
        finally:
            con.close()


def ensure_usable(path: Path) -> None:
    """Open the warehouse file once and close it, so that a damaged file stops a command with
    one line before a run starts (WarehouseUnusable) rather than inside it."""
    with Warehouse(path=str(path)).connect():
        pass
