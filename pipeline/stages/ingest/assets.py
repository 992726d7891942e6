"""Ingest: each fiscal year's firms and transactions file, loaded as read into DuckDB.

A raw view reads a Parquet file in place. A CSV file is parsed once, every value as text,
into a Parquet copy beside the warehouse that its raw view reads: writing those strings
into DuckDB's own storage cost twice as long. Either way a row's position in the Parquet
file (DuckDB keeps insertion order when it writes one) gives its CSV record or Parquet row
for the quarantine. A CSV file with blank lines is parsed from a rewrite with an empty record
in their place (pipeline/stages/ingest/csv_records.py), so that the numbers stay the lines a clerk sees.
"""

import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.reference.contract import FIRMS, TRANSACTIONS, InputSpec
from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import report
from pipeline.runtime.resources import DataFolders
from pipeline.stages.ingest.csv_records import RecordCounter, Rewrite, rewrite_blank_lines
from pipeline.stages.ingest.input_files import (
    CHUNK_BYTES,
    InputFile,
    InputFileError,
    check_columns,
    csv_header,
    detect_encoding,
    locate,
    sha256_of,
    transcode_to_utf8,
)
from pipeline.warehouse.connection import Warehouse, fetch_rows, run_sql, sql_literal, sql_text, transaction
from pipeline.warehouse.versions import code_version, forget_versions, held_versions, record_version


def raw_table(spec: InputSpec, fiscal_year: int) -> str:
    """The warehouse view of one fiscal year's raw file: row_number plus the file's columns."""
    return f'raw."{spec.kind}_{fiscal_year}"'


def csv_copy_path(warehouse: Warehouse, spec: InputSpec, fiscal_year: int) -> Path:
    """Where a CSV input's parsed copy is kept: `<warehouse>.csv/<year>/<kind>.parquet`."""
    database = Path(warehouse.path)
    return database.with_name(f"{database.name}.csv") / str(fiscal_year) / f"{spec.kind}.parquet"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _contract_columns(file: InputFile) -> list[str]:
    return [c for c in file.spec.columns if c in file.columns]


def _csv_error(file: InputFile, error: duckdb.Error, lines_removed: int = 0) -> InputFileError:
    first_lines = "; ".join(line.strip() for line in str(error).splitlines()[:3])
    if lines_removed:  # DuckDB numbered the rewrite, which lacks the blank lines before the header

        def moved(match: re.Match) -> str:
            return f"on Line: {int(match[1]) + lines_removed}"

        first_lines = re.sub(r"on Line: (\d+)", moved, first_lines)
    return InputFileError(f"{file.name}: cannot be read as CSV: {first_lines}")


def _write_copy(con: duckdb.DuckDBPyConnection, copy: Path, name: str, params: dict, **fill: str) -> int:
    """Run the COPY of `sql/<name>.sql` into a draft beside `copy`, then put it in place; the
    last good copy stays until the new one is whole. Returns the rows written."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    draft = copy.with_name(f".{copy.name}.draft")
    statement = sql_text(name).format(target=sql_literal(str(draft)), **fill)
    try:
        written = con.execute(statement, params).fetchone()[0]
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    os.replace(draft, copy)
    return int(written)


def _parse_csv(con: duckdb.DuckDBPyConnection, file: InputFile, readable: Path, copy: Path) -> int:
    """Parse a UTF-8 CSV file into its Parquet copy; the rows written, empty records included."""
    positions = [f"c{i}" for i in range(len(file.columns))]
    columns = [f"{positions[file.columns.index(c)]} as {_quoted(c)}" for c in _contract_columns(file)]
    return _write_copy(
        con,
        copy,
        "csv_copy",
        {"csv": str(readable), "positions": dict.fromkeys(positions, "VARCHAR")},
        columns=", ".join(columns),
        empty_record=" and ".join(f"{p} is null" for p in positions),
    )


def _rewritten(readable: Path, work: Path, file: InputFile) -> tuple[Path, Rewrite]:
    target = work / f"rewritten-{file.name}"
    return target, rewrite_blank_lines(readable, target, len(file.columns), CHUNK_BYTES)


def _load_csv(
    con: duckdb.DuckDBPyConnection, file: InputFile, copy: Path, work: Path
) -> tuple[InputFile, int]:
    """Parse a CSV input into its Parquet copy; returns the file, with its encoding and columns,
    and the line of its first data record. A clean file is parsed as it is; one whose records
    DuckDB would miscount or refuse (blank lines, lines of spaces, Ctrl-Z) is parsed from a
    rewrite."""
    counter = RecordCounter()
    encoding = detect_encoding(file.path, counter)
    readable = file.path
    if encoding != "utf-8":
        counter = RecordCounter()
        readable = transcode_to_utf8(file.path, encoding, work / file.name, counter)
    columns, header_line = csv_header(readable)
    file = InputFile(file.spec, file.path, file.file_format, encoding, columns)
    check_columns(file)
    rewrite = None
    if header_line > 1 or counter.ends_with_ctrl_z:  # DuckDB would read a blank line as the header
        readable, rewrite = _rewritten(readable, work, file)
    refused = None
    try:
        written = _parse_csv(con, file, readable, copy)
    except duckdb.Error as error:
        if rewrite is not None:
            raise _csv_error(file, error, rewrite.header_line - 1) from None
        refused = error
    else:
        if rewrite is not None or written == counter.records - 1:
            return file, (rewrite.header_line if rewrite else 1) + 1
    # DuckDB refused the file, or skipped blank lines: parse it again from a rewrite.
    readable, rewrite = _rewritten(readable, work, file)
    if not rewrite.changed:
        if refused is not None:
            raise _csv_error(file, refused) from None
        return file, 2
    try:
        _parse_csv(con, file, readable, copy)
    except duckdb.Error as error:
        raise _csv_error(file, error, rewrite.header_line - 1) from None
    return file, rewrite.header_line + 1


def _load_parquet(con: duckdb.DuckDBPyConnection, file: InputFile, view: str, copy: Path) -> InputFile:
    """A Parquet file is already typed and columnar: the raw view reads it in place, or a copy
    of its contract columns when a column of its own is named file_row_number."""
    try:
        described = con.execute("describe select * from read_parquet(?)", [str(file.path)]).fetchall()
    except duckdb.Error as e:
        raise InputFileError(f"{file.name}: cannot be read as Parquet: {str(e).splitlines()[0]}") from None
    file = InputFile(file.spec, file.path, file.file_format, None, tuple(row[0] for row in described))
    check_columns(file)
    source = file.path
    if "file_row_number" in file.columns:
        columns = ", ".join(_quoted(c) for c in _contract_columns(file))
        _write_copy(con, copy, "parquet_copy", {"parquet": str(file.path)}, columns=columns)
        source = copy
    else:
        copy.unlink(missing_ok=True)  # a copy of an earlier ingest, now replaced
    _create_raw_view(con, view, source, file, first_row=1)
    return file


def _create_raw_view(
    con: duckdb.DuckDBPyConnection,
    view: str,
    parquet: Path,
    file: InputFile,
    first_row: int,
    csv: bool = False,
) -> None:
    """The raw view: row_number (the Parquet row, counted from `first_row`) and the contract's
    columns, a missing optional one as null; a CSV copy's empty records skipped."""
    columns = [_quoted(c) for c in _contract_columns(file)]
    columns += [f"cast(null as varchar) as {_quoted(c)}" for c in file.missing_optional]
    con.execute(
        sql_text("raw_view").format(
            view=view,
            first_row=int(first_row),
            columns=", ".join(columns),
            parquet=sql_literal(str(parquet)),
            where="where not empty_record" if csv else "",
        )
    )


def _skipped_lines(con: duckdb.DuckDBPyConnection, view: str, copy: Path, first_row: int) -> int:
    """Blank lines and empty records of a CSV: the copy's rows the view skips, and the lines above
    the header."""
    parsed = con.execute("select count(*) from read_parquet(?)", [str(copy)]).fetchone()[0]
    return parsed - con.execute(f"select count(*) from {view}").fetchone()[0] + first_row - 2


def _drop_raw(con: duckdb.DuckDBPyConnection, spec: InputSpec, fiscal_year: int) -> None:
    """Remove the year's raw objects of this kind, whatever format they came from."""
    for name, kind in fetch_rows(con, "raw_objects", prefix=f"{spec.kind}_{fiscal_year}"):
        con.execute(f'drop {"view" if kind == "VIEW" else "table"} raw."{name}"')


def load_raw_file(
    con: duckdb.DuckDBPyConnection, folders: DataFolders, spec: InputSpec, fiscal_year: int, csv_copy: Path
) -> tuple[InputFile, int]:
    """Load a fiscal year's file as its raw view; returns the file and its row count. A CSV
    file is parsed into `csv_copy` first. The file's SHA-256 is taken from its content on every
    load, and the load fails if the file was written to or replaced while it was read."""
    file = locate(folders.raw, str(fiscal_year), spec)
    view = raw_table(spec, fiscal_year)
    asset = f"raw_{spec.kind}"
    forget_versions(con, fiscal_year, asset)  # until the new view and its record are both in place
    before = _identity(file.path)
    sha256 = sha256_of(file.path)
    _drop_raw(con, spec, fiscal_year)
    if file.file_format == "csv":
        with tempfile.TemporaryDirectory(prefix="transcode-") as work:
            file, first_row = _load_csv(con, file, csv_copy, Path(work))
        # The copy keeps the file's order, one row per record after the header: row i is line i + first_row.
        _create_raw_view(con, view, csv_copy, file, first_row=first_row, csv=True)
        file = replace(file, skipped_lines=_skipped_lines(con, view, csv_copy, first_row))
    else:
        file = _load_parquet(con, file, view, csv_copy)
    rows = con.execute(f"select count(*) from {view}").fetchone()[0]
    if rows == 0:
        raise InputFileError(f"{file.name}: the file has a header but no data rows")
    if _identity(file.path) != before:  # written to, or replaced, between the hash and the read
        raise InputFileError(f"{file.name}: the file changed while it was being read; run again")
    with transaction(con):
        con.execute("delete from input_files where fiscal_year = ? and kind = ?", [fiscal_year, spec.kind])
        run_sql(
            con,
            "record_input_file",
            fiscal_year=fiscal_year,
            kind=spec.kind,
            source_file=f"{fiscal_year}/{file.name}",
            file_format=file.file_format,
            encoding=file.encoding,
            size_bytes=before[1],
            rows_read=rows,
            sha256=sha256,
        )
        record_version(con, fiscal_year, asset)
    return file, rows


def _identity(path: Path) -> tuple[int, int, int]:
    """What changes when a file is replaced or written to: inode, size, mtime."""
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _ingest(context: dg.AssetExecutionContext, folders: DataFolders, warehouse: Warehouse, spec: InputSpec):
    fiscal_year = fiscal_year_of(context)
    try:
        with warehouse.connect() as con:
            copy = csv_copy_path(warehouse, spec, fiscal_year)
            file, rows = load_raw_file(con, folders, spec, fiscal_year, copy)
            sha256 = dict(fetch_rows(con, "input_hashes", fiscal_year=fiscal_year))[spec.kind]
            version = held_versions(con, fiscal_year)[f"raw_{spec.kind}"]
    except InputFileError as e:
        raise dg.Failure(description=str(e)) from None
    skipped = f"; {file.skipped_lines:,} blank lines or empty records skipped" if file.skipped_lines else ""
    report(
        context,
        f"{spec.kind:<20} read {rows:,} rows from {file.name} ({file.encoding or file.file_format}{skipped})",
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "dagster/table_name": raw_table(spec, fiscal_year),
            "source_file": dg.MetadataValue.path(str(file.path)),
            "format": file.file_format,
            "encoding": file.encoding or "parquet",
            "blank lines and empty records (skipped, counted in row numbers)": file.skipped_lines,
            "columns": ", ".join(file.columns),
            "missing optional columns": ", ".join(file.missing_optional) or "none",
            "sha256": sha256,
        },
        data_version=dg.DataVersion(version),
    )


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="ingest",
    kinds={"duckdb", "csv", "parquet"},
    code_version=code_version("raw_firms"),
)
def raw_firms(context: dg.AssetExecutionContext, folders: DataFolders, warehouse: Warehouse):
    """The fiscal year's firms file (firms.csv or firms.parquet), loaded as read.

    CSV may be UTF-8 (with or without BOM) or CP932; CP932 is transcoded first.
    A file that cannot be read fails here with a message naming the file and the fault.
    """
    return _ingest(context, folders, warehouse, FIRMS)


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="ingest",
    kinds={"duckdb", "csv", "parquet"},
    code_version=code_version("raw_transactions"),
)
def raw_transactions(context: dg.AssetExecutionContext, folders: DataFolders, warehouse: Warehouse):
    """The fiscal year's transactions file (supplier → customer, yen), loaded as read."""
    return _ingest(context, folders, warehouse, TRANSACTIONS)
