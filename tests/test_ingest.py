"""Ingest: a CSV is parsed once into a Parquet copy whose row order is the file's."""

from __future__ import annotations

import pytest

from assets.ingest import csv_copy_path, load_raw_file
from pipeline.contract import TRANSACTIONS
from pipeline.input_files import InputFileError
from pipeline.resources import DataFolders
from pipeline.warehouse import Warehouse

from .conftest import YEAR

# Large enough (about 90 MB) that DuckDB reads the CSV in several parallel chunks.
ROWS = 2_500_000


def _line(i: int) -> str:
    return f"{1_000_000_000_000 + i},{2_000_000_000_000 + i},{i}\n"


def test_a_large_csv_keeps_its_line_numbers(tmp_path):
    folder = tmp_path / "raw" / YEAR
    folder.mkdir(parents=True)
    with (folder / "transactions.csv").open("w", encoding="utf-8") as f:
        f.write(",".join(TRANSACTIONS.required) + "\n")
        f.writelines(_line(i) for i in range(ROWS))
    warehouse = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    folders = DataFolders(raw_dir=str(tmp_path / "raw"), marts_dir=str(tmp_path / "marts"))
    copy = csv_copy_path(warehouse, TRANSACTIONS, int(YEAR))
    with warehouse.connect() as con:
        file, rows = load_raw_file(con, folders, TRANSACTIONS, int(YEAR), copy)
        # Line 2 holds the amount 0, line n the amount n - 2: every row's number is its line.
        misnumbered = con.execute(
            f'select count(*) from raw."transactions_{YEAR}" '
            "where cast(amount_jpy as bigint) <> row_number - 2"
        ).fetchone()[0]
    assert (file.file_format, rows) == ("csv", ROWS)
    assert copy.is_file() and not list(copy.parent.glob(".*draft"))
    assert misnumbered == 0


def test_a_csv_that_cannot_be_read_leaves_the_last_good_copy(tmp_path):
    folder = tmp_path / "raw" / YEAR
    folder.mkdir(parents=True)
    header = ",".join(TRANSACTIONS.required) + "\n"
    (folder / "transactions.csv").write_text(header + _line(0) + _line(1), encoding="utf-8")
    warehouse = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    folders = DataFolders(raw_dir=str(tmp_path / "raw"), marts_dir=str(tmp_path / "marts"))
    copy = csv_copy_path(warehouse, TRANSACTIONS, int(YEAR))
    with warehouse.connect() as con:
        load_raw_file(con, folders, TRANSACTIONS, int(YEAR), copy)
        good = copy.read_bytes()
        (folder / "transactions.csv").write_text(header + _line(0) + "1,2,3,4\n", encoding="utf-8")
        with pytest.raises(InputFileError, match=r"transactions\.csv: cannot be read as CSV"):
            load_raw_file(con, folders, TRANSACTIONS, int(YEAR), copy)
    assert copy.read_bytes() == good
    assert sorted(p.name for p in copy.parent.iterdir()) == ["transactions.parquet"]
