"""SHA-256 of input files, remembered by (path, size, mtime) so that an unchanged file
is hashed once; a file whose size or mtime moved is hashed again, and only its hash
decides whether anything changed."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.input_files import sha256_of
from pipeline.warehouse import fetch_rows, run_sql


def file_sha256(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The file's SHA-256, from the warehouse's cache when its size and mtime are unchanged."""
    stat = path.stat()
    key = {"path": str(path.resolve()), "size_bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    cached = fetch_rows(con, "cached_file_hash", **key)
    if cached:
        return cached[0][0]
    digest = sha256_of(path)
    run_sql(con, "remember_file_hash", sha256=digest, **key)
    return digest
