"""Ingest: a CSV is parsed once into a Parquet copy whose row order is the file's, and whose row
numbers are the lines a clerk sees (blank lines counted, extra columns ignored)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.reference.contract import TRANSACTIONS
from pipeline.runtime.resources import DataFolders
from pipeline.stages.ingest.assets import csv_copy_path, load_raw_file
from pipeline.stages.ingest.input_files import InputFileError
from pipeline.warehouse.connection import Warehouse

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


# ---------------------------------------------------------------- the records a clerk sees

HEADER = ",".join(TRANSACTIONS.required).encode()


def _numbered(tmp_path, content: bytes, name: str = "transactions.csv") -> list[tuple]:
    """(row_number, supplier, customer, amount) of every row of the raw view, in line order."""
    folder = tmp_path / "raw" / YEAR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    warehouse = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    folders = DataFolders(raw_dir=str(tmp_path / "raw"), marts_dir=str(tmp_path / "marts"))
    with warehouse.connect() as con:
        _, rows = load_raw_file(
            con, folders, TRANSACTIONS, int(YEAR), csv_copy_path(warehouse, TRANSACTIONS, int(YEAR))
        )
        numbered = con.execute(
            f"select row_number, supplier_corporate_number, customer_corporate_number, amount_jpy "
            f'from raw."transactions_{YEAR}" order by row_number'
        ).fetchall()
    assert rows == len(numbered)
    return numbered


def _rows(*lines: int) -> list[tuple]:
    """The rows the files below hold on these lines: line n has the amount n."""
    return [(n, "1", "2", str(n)) for n in lines]


def test_a_blank_line_is_skipped_but_counted(tmp_path):
    lines = [f"1,2,{n}" if n != 10 else "" for n in range(2, 21)]
    content = HEADER + b"\n" + "\n".join(lines).encode() + b"\n"
    assert _numbered(tmp_path, content) == _rows(*range(2, 10), *range(11, 21))


def test_blank_lines_in_a_crlf_file_and_at_its_end(tmp_path):
    content = HEADER + b"\r\n1,2,2\r\n\r\n\r\n1,2,5\r\n\r\n"
    assert _numbered(tmp_path, content) == _rows(2, 5)


def test_a_blank_line_in_a_cp932_file_with_crlf(tmp_path):
    content = HEADER + "\r\n1,2,２\r\n\r\n1,2,４\r\n".encode("cp932")
    assert _numbered(tmp_path, content) == [(2, "1", "2", "２"), (4, "1", "2", "４")]


def test_a_line_of_spaces_counts_as_blank(tmp_path):
    content = HEADER + b"\n1,2,2\n   \n\t \n1,2,5\n\xe3\x80\x80\n1,2,7\n"
    assert _numbered(tmp_path, content) == _rows(2, 5, 7)


def test_trailing_lines_of_commas_are_empty_records(tmp_path):
    content = HEADER + b"\n1,2,2\n,,\n1,2,4\n,,\n,,\n"
    assert _numbered(tmp_path, content) == _rows(2, 4)


def test_a_record_of_spaces_is_not_empty(tmp_path):
    """Spaces between the commas are what someone typed: the row is read (and staging quarantines it)."""
    assert _numbered(tmp_path, HEADER + b"\n1,2,2\n , ,\n") == [*_rows(2), (3, " ", " ", None)]


def test_ctrl_z_at_the_end_of_the_file_is_ignored(tmp_path):
    assert _numbered(tmp_path, HEADER + b"\r\n1,2,2\r\n1,2,3\r\n\x1a") == _rows(2, 3)
    assert _numbered(tmp_path, HEADER + b"\n1,2,2\n1,2,3\x1a") == _rows(2, 3)


def test_blank_lines_before_the_header_are_counted(tmp_path):
    assert _numbered(tmp_path, b"\n,,\n" + HEADER + b"\n1,2,4\n\n1,2,6\n") == _rows(4, 6)


def test_a_bare_cr_inside_a_quoted_value_is_kept(tmp_path):
    content = HEADER + b'\n1,2,2\n"1",2,"3\r"\n1,"2\r\n",4\n1,2,5\n'
    assert _numbered(tmp_path, content) == [
        *_rows(2),
        (3, "1", "2", "3\r"),
        (4, "1", "2\r\n", "4"),
        *_rows(5),
    ]


def test_a_line_break_inside_quotes_is_one_record(tmp_path):
    content = HEADER + b'\n1,2,2\n1,"2\n\n",3\n\n1,2,5\n'
    assert _numbered(tmp_path, content) == [*_rows(2), (3, "1", "2\n\n", "3"), *_rows(5)]


def test_mixed_line_endings_are_read_line_by_line(tmp_path):
    assert _numbered(tmp_path, HEADER + b"\r\n1,2,2\n1,2,3\r\n") == _rows(2, 3)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b",file_row_number", id="a-column-named-file_row_number"),
        pytest.param(b",row_number", id="a-column-named-row_number"),
        pytest.param(b",,", id="two-empty-trailing-columns-as-excel-writes"),
        pytest.param(b",memo,memo", id="an-extra-column-repeated"),
    ],
)
def test_extra_columns_are_ignored_whatever_their_names(tmp_path, header):
    extra = b"," * header.count(b",")
    content = HEADER + header + b"\n1,2,2" + extra + b"\n1,2,3" + extra.replace(b",", b",x") + b"\n"
    assert _numbered(tmp_path, content) == _rows(2, 3)


def test_a_repeated_required_column_is_an_error(tmp_path):
    with pytest.raises(InputFileError, match=r"transactions\.csv: the header repeats column\(s\) amount_jpy"):
        _numbered(tmp_path, HEADER + b",amount_jpy\n1,2,3,4\n")


def test_a_parquet_column_named_file_row_number_is_ignored(tmp_path):
    folder = tmp_path / "raw" / YEAR
    folder.mkdir(parents=True)
    table = pa.table(
        {
            "file_row_number": ["x", "y"],
            "supplier_corporate_number": ["1", "1"],
            "customer_corporate_number": ["2", "2"],
            "amount_jpy": ["1", "2"],
        }
    )
    pq.write_table(table, folder / "transactions.parquet")
    warehouse = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    folders = DataFolders(raw_dir=str(tmp_path / "raw"), marts_dir=str(tmp_path / "marts"))
    with warehouse.connect() as con:
        load_raw_file(
            con, folders, TRANSACTIONS, int(YEAR), csv_copy_path(warehouse, TRANSACTIONS, int(YEAR))
        )
        numbered = con.execute(
            f'select row_number, amount_jpy from raw."transactions_{YEAR}" order by 1'
        ).fetchall()
    assert numbered == [(1, "1"), (2, "2")]
