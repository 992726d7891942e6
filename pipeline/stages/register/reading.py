"""Reading the register files: one pass per file out of its zip, decoded, into DuckDB.

DuckDB reads neither inside a zip nor CP932 here, so each CSV is streamed out of its zip in
16 MB chunks into a temporary folder, in the same pass judged UTF-8 (strictly, BOM allowed)
or else CP932 and then transcoded to UTF-8. A plain CSV that is already UTF-8 is read where
it lies. DuckDB then parses every file at once (30 columns, all text) and keeps every row's
faults (`store_rejects`), so that every bad line of every file is reported together.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.stages.register.files import RegisterError, RegisterFile, RegisterFiles
from pipeline.stages.register.layout import COLUMNS
from pipeline.warehouse.connection import sql_text

CHUNK_BYTES = 16 * 1024 * 1024
MAX_REPORTED = 50  # bad lines named, per load; the count says how many more


@dataclass(frozen=True)
class DecodedFile:
    file: RegisterFile
    csv_path: Path  # a UTF-8 CSV DuckDB can read
    encoding: str  # "utf-8" or "cp932", as found in the NTA file
    member: str | None  # the CSV's name inside the zip


def _chunks(file: RegisterFile) -> Iterator[tuple[str | None, Iterator[bytes]]]:
    """The CSV's name in the zip (None for a plain CSV) and its bytes in chunks."""
    if file.path.suffix.lower() != ".zip":
        with file.path.open("rb") as plain:
            yield None, iter(lambda: plain.read(CHUNK_BYTES), b"")
        return
    try:
        archive = zipfile.ZipFile(file.path)
    except zipfile.BadZipFile:
        raise RegisterError(f"{file.path.name}: not a zip file") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1 or not members[0].filename.lower().endswith(".csv"):
            names = ", ".join(m.filename for m in members) or "nothing"
            raise RegisterError(f"{file.path.name}: holds {names}; the NTA's zip holds one CSV")
        with archive.open(members[0]) as stream:
            yield members[0].filename, iter(lambda: stream.read(CHUNK_BYTES), b"")


def _is_utf8(file: RegisterFile) -> bool:
    """Whether the whole file decodes strictly as UTF-8 (stops at the first fault)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for _, chunks in _chunks(file):
            for chunk in chunks:
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _write_decoded(file: RegisterFile, encoding: str, target: Path) -> str | None:
    """Stream the CSV out as UTF-8; a byte the encoding refuses is a RegisterError."""
    decoder = codecs.getincrementaldecoder(encoding)()
    member = None
    offset = 0
    with target.open("wb") as out:
        for member, chunks in _chunks(file):  # noqa: B007 (the one member's name is returned)
            for chunk in chunks:
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    raise RegisterError(
                        f"{file.path.name}: byte {offset + error.start:,} is neither UTF-8 nor "
                        "Shift_JIS (CP932); download the file again"
                    ) from None
                out.write(chunk if encoding == "utf-8" else text.encode("utf-8"))
                offset += len(chunk)
            decoder.decode(b"", final=True)
    return member


def decode_file(file: RegisterFile, folder: Path) -> DecodedFile:
    """The file as a UTF-8 CSV: extracted (and transcoded) into `folder`, or read in place."""
    target = folder / f"{file.path.stem}.csv"
    if file.path.suffix.lower() == ".csv":
        if _is_utf8(file):
            return DecodedFile(file, file.path, "utf-8", None)
        return DecodedFile(file, target, "cp932", _write_decoded(file, "cp932", target))
    try:  # one pass for a zip: judged UTF-8 while it is written; only a CP932 file is read twice
        return DecodedFile(file, target, "utf-8", _write_decoded(file, "utf-8", target))
    except RegisterError:
        pass
    return DecodedFile(file, target, "cp932", _write_decoded(file, "cp932", target))


def decode_files(files: RegisterFiles, folder: Path, workers: int = 2) -> list[DecodedFile]:
    """Every applied file decoded; zlib and file writes run outside the GIL, so two at once."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda f: decode_file(f, folder), files.applied))


def _rejected_lines(con: duckdb.DuckDBPyConnection, decoded: list[DecodedFile]) -> list[str]:
    by_path = {str(d.csv_path): d.file.path.name for d in decoded}
    rows = con.execute(sql_text("register/rejected_lines")).fetchall()
    lines = [
        f"{by_path.get(path, path)}: line {line}: {message}" for path, line, message in rows[:MAX_REPORTED]
    ]
    if len(rows) > MAX_REPORTED:
        lines.append(f"... and {len(rows) - MAX_REPORTED:,} more bad lines")
    return lines


def load_rows(con: duckdb.DuckDBPyConnection, decoded: list[DecodedFile]) -> int:
    """Parse every decoded file into the temp table `register_load`; every malformed line of
    every file is one line of the RegisterError, and nothing is loaded then."""
    files = con.execute(
        "create or replace temp table register_load_files as select * from (values "
        + ", ".join("(?, ?, ?, ?, ?, ?)" for _ in decoded)
        + ") t(csv_path, source_file, file_kind, file_date, apply_order, encoding)",
        [
            v
            for order, d in enumerate(decoded)
            for v in (str(d.csv_path), d.file.path.name, d.file.kind, d.file.date, order, d.encoding)
        ],
    )
    files.fetchall()
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in COLUMNS) + "}"
    try:  # the column list is the layout's, not user text
        con.execute(
            sql_text("register/load_rows").replace("$columns", columns),
            {"files": [str(d.csv_path) for d in decoded]},
        )
    except duckdb.Error as error:
        raise RegisterError(f"the register files cannot be read: {str(error).splitlines()[0]}") from None
    if bad := _rejected_lines(con, decoded):
        raise RegisterError("\n".join(bad))
    return con.execute("select count(*) from register_load").fetchone()[0]
