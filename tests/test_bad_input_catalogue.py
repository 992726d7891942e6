"""A catalogue of bad (and awkward but valid) input, each case with its exact outcome (contract §1, §2, §5).

File faults fail the run with a one-line message naming the file and the fault. Row faults are
quarantined with one reason; to keep the file fast, each row case gets its own firms (or firm
pairs) and line range inside one shared file per kind, and asserts exactly what happens there.

Row faults and accepted values are read with the publication's own queries (published_quarantine,
published_firm_degrees) after the stages ran without checks or publication (`Pipeline.run_stages`);
what only a whole run shows (the CSV files, a gate blocking publication) keeps whole runs (slow).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.reference.contract import FIRMS, QUARANTINE_REASONS, TRANSACTIONS
from tests.conftest import YEAR, Pipeline, cn, firm, sale, write_csv

HEADER = ",".join(FIRMS.columns)
GOOD_FIRMS = [firm(1, "13"), firm(2, "27")]
GOOD_SALES = [sale(1, 2, 1_000)]


def line(n: int, name: str = "A") -> str:
    optional = "," * (len(FIRMS.optional) - 1)
    return f"{cn(n)},{name},13,E,5000000000,100,{optional}\n"  # every column of FIRMS, optional ones empty


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def bad_check_digit(n: int) -> str:
    number = cn(n)
    return str((int(number[0]) + 1) % 10) + number[1:]


def quarantine(run, source: str) -> dict[int, dict]:
    return {
        row["row_number"]: row for row in run.records("published_quarantine") if row["source_file"] == source
    }


def _quarantined_rows(run) -> list[tuple]:
    return [(r["source_file"], r["row_number"], r["reason"]) for r in run.records("published_quarantine")]


def staged_count(run, kind: str) -> int:
    return run.query(f"select count(*) from staged_{kind} where fiscal_year = ?", [int(YEAR)])[0][0]


# ---------------------------------------------------------------- file-level faults: the run fails


def truncated_parquet() -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([{k: str(v) for k, v in r.items()} for r in GOOD_FIRMS]), sink)
    data = sink.getvalue()
    return data[: len(data) // 2]


FILE_FAULTS = [
    pytest.param("firms.csv", b"", ["empty"], id="empty-0-bytes"),
    pytest.param("firms.csv", (HEADER + "\n").encode(), ["no data rows"], id="header-only"),
    pytest.param(
        "firms.csv",
        f"corporate_number,name,prefecture_code,sales_jpy,employees\n{cn(1)},A,13,5,5\n".encode(),
        ["missing required column", "jsic_division"],
        id="missing-column-firms",
    ),
    pytest.param(
        "transactions.csv",
        f"supplier_corporate_number,customer_corporate_number,amount\n{cn(1)},{cn(2)},5\n".encode(),
        ["missing required column", "amount_jpy"],
        id="missing-column-transactions",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1)).replace(",", ";").encode(),
        ["comma-separated"],
        id="semicolons",
    ),
    pytest.param(
        "firms.csv", (HEADER + "\n" + line(1)).replace(",", "\t").encode(), ["comma-separated"], id="tabs"
    ),
    pytest.param(
        "firms.csv", b"\x00\x01PK" + random.Random(7).randbytes(3000), ["binary"], id="binary-garbage"
    ),
    pytest.param("firms.parquet", truncated_parquet(), ["cannot be read as parquet"], id="truncated-parquet"),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1)).encode() + cn(2).encode() + b",B\x80\xff,13,E,5,5,,\n",
        ["line 3", "neither utf-8 nor cp932"],
        id="bytes-80-ff-invalid-in-both",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1)).encode() + cn(2).encode() + b",B\x81 ,13,E,5,5,,\n",
        ["line 3", "neither utf-8 nor cp932"],
        id="cp932-lead-byte-without-trail",
    ),
    pytest.param(
        "firms.csv", (HEADER + "\n" + line(1)).encode("utf-16"), ["neither utf-8 nor cp932"], id="utf-16"
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1, "日本")).encode() + line(2, "日本").encode("cp932"),
        ["mixes encodings", "line 2", "line 3"],
        id="utf-8-and-cp932-lines",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1, "Crédit Agricole") + line(2, "Hermès") + line(3, "Lancôme")).encode(
            "cp1252"
        ),
        ["not utf-8", "not cp932", "line 2 holds 'Cr馘it Agricole'", "windows-1252"],
        id="windows-1252",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1, "日本") + line(2, "東京")).encode("cp932")
        + line(3, "Société Générale").encode()
        + line(4, "大阪").encode("cp932"),
        ["mixes encodings", "line 4 is utf-8", "line 2 is cp932"],
        id="cp932-with-one-utf-8-line",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1, "日本")).encode("cp932")
        + cn(2).encode()
        + b",\xf0\x40\x93\xfa,13,E,5,5,,\n",
        ["line 3 holds a cp932 user-defined character"],
        id="cp932-user-defined-character",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + "".join(line(n, "日本") for n in range(1, 46))).encode("cp932")
        + cn(46).encode()
        + b",\x85\x40,13,E,5,5,,\n"
        + line(47, "東京").encode("cp932"),
        ["line 47 is neither utf-8 nor cp932"],
        id="cp932-one-invalid-byte-pair-at-line-47",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + "".join(line(n, "株式会社テスト") for n in range(1, 46))).encode()
        + cn(46).encode()
        + b",\xff\xfe,13,E,5,5,,\n"
        + line(47, "東京").encode(),
        ["line 47 is neither utf-8 nor cp932"],
        id="utf-8-one-invalid-byte-pair-at-line-47",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + "".join(line(n, "株式会社テスト") for n in range(1, 20))).encode()
        + "".join(line(n, "株式会社テスト") for n in range(20, 40)).encode("cp932"),
        ["mixes encodings", r"line ([2-9]|1[0-9]|20) is utf-8", "line 21 is cp932"],
        id="half-utf-8-half-cp932",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + "".join(line(n, "株式会社テスト") for n in range(1, 20))).encode("cp932")
        + "".join(line(n, "株式会社テスト") for n in range(20, 40)).encode(),
        ["mixes encodings", r"line (2[1-9]|3[0-9]|40) is utf-8", r"line ([2-9]|1[0-9]|20) is cp932"],
        id="half-cp932-half-utf-8",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + "".join(line(n) for n in range(1, 300)) + line(300, "A\x00B")).encode(),
        ["line 301 holds a nul byte", "binary"],
        id="nul-byte-after-the-first-8-kb",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1) + line(2).rstrip("\n") + ",extra\n").encode(),
        [r"line:? 3", f"columns: {len(FIRMS.columns)} found: {len(FIRMS.columns) + 1}"],
        id="too-many-fields",
    ),
    pytest.param(
        "firms.csv",
        (HEADER + "\n" + line(1) + f"{cn(2)},B,13,E\n").encode(),
        [r"line:? 3", f"columns: {len(FIRMS.columns)} found: 4"],
        id="too-few-fields",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("filename", "content", "expected"), FILE_FAULTS)
def test_unreadable_file_fails_the_run_naming_file_and_fault(pipeline, filename, content, expected):
    folder = pipeline.write(GOOD_FIRMS, GOOD_SALES)
    (folder / filename.replace(".parquet", ".csv")).unlink()
    (folder / filename).write_bytes(content)
    run = pipeline.run(tolerance=1.0)
    assert not run.success
    kind = filename.split(".")[0]
    assert run.failure.startswith(f"raw_{kind}: {filename}: "), run.failure
    for pattern in expected:
        assert re.search(pattern, run.failure, re.IGNORECASE), f"{pattern!r} not in {run.failure!r}"
    assert "\n" not in run.failure, f"run.failure is not one line: {run.failure!r}"
    assert not run.published.exists()


# ---------------------------------------------------------------- firm row faults: quarantined

FIRM_CASES = {  # id: (rows, reason per row — None means staged)
    "spreadsheet-exponent": ([firm(10, corporate_number="1.18030101877E+12")], ["invalid_corporate_number"]),
    "bad-check-digit": ([firm(11, corporate_number=bad_check_digit(11))], ["invalid_corporate_number"]),
    "twelve-digits": ([firm(12, corporate_number=cn(12)[1:])], ["invalid_corporate_number"]),
    "duplicate-firm": ([firm(13), firm(13, name="別名")], ["duplicate_firm"] * 2),
    "duplicate-after-normalising": (
        [firm(14), firm(14, corporate_number=full_width(cn(14)))],
        ["duplicate_firm"] * 2,
    ),
    "duplicate-triple": ([firm(15), firm(15), firm(15)], ["duplicate_firm"] * 3),
    "prefecture-48": ([firm(16, "48")], ["invalid_prefecture"]),
    "prefecture-0": ([firm(17, "0")], ["invalid_prefecture"]),
    "prefecture-empty": ([firm(18, "")], ["invalid_prefecture"]),
    "prefecture-name": ([firm(19, "東京都")], ["invalid_prefecture"]),
    "industry-U": ([firm(20, jsic_division="U")], ["invalid_industry"]),
    "industry-empty": ([firm(21, jsic_division="")], ["invalid_industry"]),
    "industry-word": ([firm(22, jsic_division="製造業")], ["invalid_industry"]),
    "sales-missing": ([firm(23, sales="")], ["invalid_number"]),
    "sales-negative": ([firm(24, sales=-5)], ["invalid_number"]),
    "employees-not-integer": ([firm(25, employees="12.5")], ["invalid_number"]),
    "employees-text": ([firm(26, employees="many")], ["invalid_number"]),
    "capital-negative": ([firm(27, capital_jpy=-1)], ["invalid_number"]),
    "export-negative": ([firm(28, export_sales_jpy=-1)], ["invalid_export_sales"]),
    "export-above-sales": ([firm(29, sales=100, export_sales_jpy=101)], ["invalid_export_sales"]),
    "export-equal-sales-ok": ([firm(30, sales=100, export_sales_jpy=100)], [None]),
    # only thousands separators in their places are forgiven; any other comma is not an integer
    "sales-decimal-comma-522932,50": ([firm(36, sales="522932,50")], ["invalid_number"]),
    "sales-misplaced-separators-1,2,3": ([firm(37, sales="1,2,3")], ["invalid_number"]),
    "employees-decimal-comma-1,5": ([firm(38, employees="1,5")], ["invalid_number"]),
    "sales-trailing-comma-1000,": ([firm(39, sales="1000,")], ["invalid_number"]),
    "capital-leading-comma-,100": ([firm(40, capital_jpy=",100")], ["invalid_number"]),
    "sales-separators-ok-1,234,000": ([firm(41, sales="1,234,000")], [None]),
    "sales-full-width-separators-ok": ([firm(42, sales="１，２３４，０００")], [None]),
    # a row meeting two faults gets the earlier reason
    "order-number-before-prefecture": (
        [firm(31, "99", corporate_number="123")],
        ["invalid_corporate_number"],
    ),
    "order-duplicate-before-prefecture": ([firm(32), firm(32, "99")], ["duplicate_firm"] * 2),
    "order-prefecture-before-industry": ([firm(33, "99", jsic_division="Z")], ["invalid_prefecture"]),
    "order-industry-before-number": ([firm(34, jsic_division="Z", sales="")], ["invalid_industry"]),
    "order-number-before-export": ([firm(35, sales="", export_sales_jpy=-1)], ["invalid_number"]),
    "firm-9-quarantined": ([firm(9, "99")], ["invalid_prefecture"]),  # used by the transaction cases
    # Firm identity: a 個人 has no 法人番号 and is keyed by its vendor code.
    "individual-with-code-ok": (
        [firm(43, corporate_number="", vendor_code="V43", legal_form="個人")],
        [None],
    ),
    "individual-without-code": (
        [firm(44, corporate_number="", legal_form="個人")],
        ["invalid_corporate_number"],
    ),
    "corporation-without-number": (
        [firm(45, corporate_number="", vendor_code="V45")],
        ["invalid_corporate_number"],
    ),
    "individual-bad-check-digit": (
        [firm(46, corporate_number=bad_check_digit(46), vendor_code="V46", legal_form="個人")],
        ["invalid_corporate_number"],
    ),
    "duplicate-vendor-code-after-normalising": (
        [firm(47, vendor_code="V47"), firm(48, corporate_number="", vendor_code="Ｖ４７", legal_form="個人")],
        ["duplicate_firm"] * 2,
    ),
    "legal-form-unknown": ([firm(49, legal_form="株式会社")], ["invalid_legal_form"]),
    "legal-form-written-ok": ([firm(52, legal_form=" 法人 ")], [None]),
    "order-duplicate-before-legal-form": ([firm(50), firm(50, legal_form="NPO")], ["duplicate_firm"] * 2),
    "order-legal-form-before-prefecture": ([firm(51, "99", legal_form="x")], ["invalid_legal_form"]),
}


def _layout(cases: dict, first_line: int) -> dict[str, list[int]]:
    """The CSV line of every row of every case, in file order."""
    lines, next_line = {}, first_line
    for case, (rows, _) in cases.items():
        lines[case] = list(range(next_line, next_line + len(rows)))
        next_line += len(rows)
    return lines


FIRM_LINES = _layout(FIRM_CASES, first_line=2 + len(GOOD_FIRMS))
FIRM_ROWS = GOOD_FIRMS + [row for rows, _ in FIRM_CASES.values() for row in rows]


@pytest.fixture(scope="module")
def firm_faults(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("firm_faults"))
    pipeline.write(FIRM_ROWS, GOOD_SALES)
    run = pipeline.run_stages(tolerance=1.0)
    assert run.success, run.failure
    return run


@pytest.mark.parametrize("case", list(FIRM_CASES))
def test_firm_row_fault(firm_faults, case):
    _, reasons = FIRM_CASES[case]
    got = quarantine(firm_faults, f"{YEAR}/firms.csv")
    assert [got[n]["reason"] if n in got else None for n in FIRM_LINES[case]] == reasons


def test_firm_quarantine_is_complete_and_reconciles(firm_faults):
    expected = sorted(
        (n, r) for c, (_, rs) in FIRM_CASES.items() for n, r in zip(FIRM_LINES[c], rs, strict=True) if r
    )
    got = quarantine(firm_faults, f"{YEAR}/firms.csv")
    assert sorted((n, row["reason"]) for n, row in got.items()) == expected
    assert staged_count(firm_faults, "firms") + len(got) == len(FIRM_ROWS)
    assert len(firm_faults.records("published_firm_degrees")) == len(FIRM_ROWS) - len(got)


def test_firm_quarantine_raw_is_json_of_the_raw_values(firm_faults):
    got = quarantine(firm_faults, f"{YEAR}/firms.csv")
    for case in ("spreadsheet-exponent", "prefecture-name", "duplicate-after-normalising"):
        line_number, source = FIRM_LINES[case][-1], FIRM_CASES[case][0][-1]
        raw = {k: (v if v is not None else "") for k, v in json.loads(got[line_number]["raw"]).items()}
        assert raw == {k: str(v) for k, v in source.items()}, case


# ---------------------------------------------------------------- transaction row faults: quarantined

TX_FIRMS = [firm(n, "13" if n % 2 else "27") for n in range(1, 9)] + [firm(9, "99")]
# After firm 9's line: a 個人 known by its vendor code alone, and a 法人 that also has one.
TX_FIRMS += [
    firm(0, "13", corporate_number="", vendor_code="P1", legal_form="個人"),
    firm(10, "27", vendor_code="C1"),
]


def by_code(row: dict, side: str, code: str, number: str = "") -> dict:
    """A transaction row whose `side` is named by a vendor code (its 法人番号 cell `number`)."""
    return {**row, f"{side}_corporate_number": number, f"{side}_vendor_code": code}


TX_CASES = {  # firm 9 is quarantined (invalid_prefecture); 90–99 are in no firms file
    "supplier-not-a-number": (
        [dict(sale(1, 2, 5), supplier_corporate_number="123")],
        ["invalid_corporate_number"],
    ),
    "customer-exponent": (
        [dict(sale(1, 2, 5), customer_corporate_number="1.18030101877E+12")],
        ["invalid_corporate_number"],
    ),
    "self-transaction": ([sale(3, 3, 5)], ["self_transaction"]),
    "order-self-before-unknown": ([sale(90, 90, 0)], ["self_transaction"]),
    "unknown-supplier": ([sale(91, 1, 5)], ["unknown_supplier"]),
    "order-supplier-before-customer": ([sale(92, 93, 5)], ["unknown_supplier"]),
    "unknown-customer": ([sale(1, 94, 5)], ["unknown_customer"]),
    "customer-firm-quarantined": ([sale(1, 9, 5)], ["unknown_customer"]),
    "supplier-firm-quarantined": ([sale(9, 1, 5)], ["unknown_supplier"]),
    "order-unknown-before-amount": ([sale(95, 1, 0)], ["unknown_supplier"]),
    "amount-zero": ([sale(1, 3, 0)], ["invalid_amount"]),
    "amount-negative": ([sale(3, 1, -5)], ["invalid_amount"]),
    "amount-empty": ([sale(1, 5, "")], ["invalid_amount"]),
    "amount-text": ([sale(5, 1, "abc")], ["invalid_amount"]),
    "amount-decimal": ([sale(1, 7, "1.5")], ["invalid_amount"]),
    "amount-decimal-comma-522932,50": ([sale(3, 5, "522932,50")], ["invalid_amount"]),
    "amount-misplaced-separators-1,2,3": ([sale(5, 3, "1,2,3")], ["invalid_amount"]),
    "amount-trailing-comma-1000,": ([sale(7, 1, "1000,")], ["invalid_amount"]),
    "amount-separators-ok-1,234,000": ([sale(3, 7, "1,234,000")], [None]),
    "duplicate-row": ([sale(2, 4, 100), sale(2, 4, 100)], [None, "duplicate_row"]),
    "duplicate-after-normalising": (
        [sale(4, 2, 1000), dict(sale(4, 2, "1,000"), supplier_corporate_number=full_width(cn(4)))],
        [None, "duplicate_row"],
    ),
    "conflicting-pair": ([sale(2, 6, 100), sale(2, 6, 200)], ["conflicting_pair"] * 2),
    "duplicate-and-conflict": (
        [sale(6, 2, 100), sale(6, 2, 100), sale(6, 2, 200)],
        ["conflicting_pair", "duplicate_row", "conflicting_pair"],
    ),
    "bad-amount-does-not-conflict": ([sale(4, 6, 100), sale(4, 6, "abc")], [None, "invalid_amount"]),
    # Either side by its 法人番号, or where that cell is empty by its vendor code.
    "individual-by-code-ok": ([by_code(sale(0, 2, 5), "supplier", "P1")], [None]),
    "individual-code-full-width-ok": ([by_code(sale(4, 0, 5), "customer", "Ｐ１")], [None]),
    "the-number-wins-over-the-code": ([by_code(sale(1, 8, 5), "supplier", "P9", number=cn(1))], [None]),
    "unknown-supplier-code": ([by_code(sale(0, 1, 5), "supplier", "P9")], ["unknown_supplier"]),
    "unknown-customer-code": ([by_code(sale(1, 0, 5), "customer", "P9")], ["unknown_customer"]),
    "neither-number-nor-code": ([by_code(sale(0, 1, 5), "supplier", "")], ["invalid_corporate_number"]),
    "self-by-number-and-code": ([by_code(sale(10, 0, 5), "customer", "C1")], ["self_transaction"]),
    "self-by-code": (
        [by_code(by_code(sale(0, 0, 5), "supplier", "P1"), "customer", "P1")],
        ["self_transaction"],
    ),
    "duplicate-by-number-and-code": (
        [sale(10, 2, 100), by_code(sale(10, 2, 100), "supplier", "C1")],
        [None, "duplicate_row"],
    ),
}
TX_LINES = _layout(TX_CASES, first_line=2 + len(GOOD_SALES))
TX_ROWS = GOOD_SALES + [row for rows, _ in TX_CASES.values() for row in rows]


@pytest.fixture(scope="module")
def transaction_faults(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("transaction_faults"))
    pipeline.write(TX_FIRMS, TX_ROWS)
    run = pipeline.run_stages(tolerance=1.0)
    assert run.success, run.failure
    return run


@pytest.mark.parametrize("case", list(TX_CASES))
def test_transaction_row_fault(transaction_faults, case):
    _, reasons = TX_CASES[case]
    got = quarantine(transaction_faults, f"{YEAR}/transactions.csv")
    assert [got[n]["reason"] if n in got else None for n in TX_LINES[case]] == reasons


def test_transaction_quarantine_is_complete_and_reconciles(transaction_faults):
    expected = sorted(
        (n, r) for c, (_, rs) in TX_CASES.items() for n, r in zip(TX_LINES[c], rs, strict=True) if r
    )
    got = quarantine(transaction_faults, f"{YEAR}/transactions.csv")
    assert sorted((n, row["reason"]) for n, row in got.items()) == expected
    assert staged_count(transaction_faults, "transactions") + len(got) == len(TX_ROWS)
    firms = quarantine(transaction_faults, f"{YEAR}/firms.csv")
    assert [(n, row["reason"]) for n, row in firms.items()] == [(10, "invalid_prefecture")]
    raw = json.loads(got[TX_LINES["amount-text"][0]]["raw"])
    assert raw == {k: str(v) for k, v in TX_CASES["amount-text"][0][0].items()}


def _csv_lines(columns, rows) -> list[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().splitlines()


def test_blank_lines_and_trailing_empty_records_keep_the_lines_a_clerk_sees(pipeline):
    """A blank line at line 10 and a bad row at line 20: the quarantine says line 20, not 19;
    the trailing lines of commas Excel writes are skipped, and rows read = staged + quarantined."""
    firms = [firm(n, "13" if n % 2 else "27") for n in range(1, 21)]
    firms[17] = firm(18, "99")  # line 20 once the blank line is in
    lines = _csv_lines(FIRMS.columns, firms)
    lines.insert(9, "")
    lines += ["," * (len(FIRMS.columns) - 1)] * 3
    sales = [sale(n, n + 1, 1_000) for n in range(1, 9)] + [sale(4, 4, 1_000)]
    sale_lines = _csv_lines(TRANSACTIONS.columns, sales)
    sale_lines.insert(4, "   ")  # a line of spaces at line 5: the self-transaction is on line 11
    folder = pipeline.write([], [])
    (folder / "firms.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    empty = "," * (len(TRANSACTIONS.columns) - 1)
    (folder / "transactions.csv").write_text("\n".join(sale_lines) + f"\n{empty}\n", encoding="utf-8")
    run = pipeline.run_stages(tolerance=1.0)
    assert run.success, run.failure
    assert [
        (r["source_file"], r["row_number"], r["reason"]) for r in run.records("published_quarantine")
    ] == [
        (f"{YEAR}/firms.csv", 20, "invalid_prefecture"),
        (f"{YEAR}/transactions.csv", 11, "self_transaction"),
    ]
    read = dict(run.query("select kind, rows_read from input_files where fiscal_year = ?", [int(YEAR)]))
    assert read == {"firms": 20, "transactions": 9}
    skipped = {
        e.materialization.asset_key.to_user_string(): e.materialization.metadata[
            "blank lines and empty records (skipped, counted in row numbers)"
        ].value
        for e in run.result.get_asset_materialization_events()
        if e.materialization.asset_key.to_user_string().startswith("raw_")
    }
    assert skipped == {"raw_firms": 4, "raw_transactions": 2}
    assert staged_count(run, "firms") == 19 and staged_count(run, "transactions") == 8


# ---------------------------------------------------------------- Parquet input: row_number is the row index


def _parquet_year(pipeline, firm_rows: list[dict], sales: list[dict], amount_type: pa.DataType):
    """The year's inputs as Parquet only: money and head counts typed as integers in firms,
    amount_jpy as `amount_type` in transactions; then the pipeline's quarantine."""
    folder = pipeline.write([], [])
    for name in ("firms.csv", "transactions.csv"):
        (folder / name).unlink()
    typed = {"sales_jpy": pa.int64(), "employees": pa.int32(), "capital_jpy": pa.int64()}
    schema = pa.schema([(c, typed.get(c, pa.string())) for c in FIRMS.columns])
    firms = [{k: (v if v != "" else None) for k, v in r.items()} for r in firm_rows]
    pq.write_table(pa.Table.from_pylist(firms, schema=schema), folder / "firms.parquet")
    schema = pa.schema([(c, amount_type if c == "amount_jpy" else pa.string()) for c in TRANSACTIONS.columns])
    rows = [{k: (str(v) if amount_type == pa.string() else v) for k, v in s.items()} for s in sales]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "transactions.parquet")
    run = pipeline.run_stages(tolerance=1.0)
    assert run.success, run.failure
    return run, [
        (r["source_file"], r["row_number"], r["reason"]) for r in run.records("published_quarantine")
    ]


def test_parquet_row_number_is_the_1_based_row_index(pipeline):
    rows = [firm(1, "13"), firm(2, "27"), firm(3, "99"), firm(4, "13", jsic_division="Z")]
    sales = [sale(1, 2, 5), sale(1, 2, 5), sale(2, 1, 0)]
    run, got = _parquet_year(pipeline, rows, sales, pa.string())
    assert got == [
        (f"{YEAR}/firms.parquet", 3, "invalid_prefecture"),
        (f"{YEAR}/firms.parquet", 4, "invalid_industry"),
        (f"{YEAR}/transactions.parquet", 2, "duplicate_row"),
        (f"{YEAR}/transactions.parquet", 3, "invalid_amount"),
    ]
    assert json.loads(run.records("published_quarantine")[0]["raw"])["prefecture_code"] == "99"


def test_typed_parquet_integers_are_checked_like_text(pipeline):
    """Integer-typed Parquet columns skip the text parser; a negative integer is still refused."""
    rows = [firm(1, "13"), firm(2, "27"), firm(3, "13", sales=-1)]
    sales = [sale(1, 2, 7), sale(2, 1, -5), sale(2, 1, 0), sale(1, 2, 7)]
    run, got = _parquet_year(pipeline, rows, sales, pa.int64())
    assert got == [
        (f"{YEAR}/firms.parquet", 3, "invalid_number"),
        (f"{YEAR}/transactions.parquet", 2, "invalid_amount"),
        (f"{YEAR}/transactions.parquet", 3, "invalid_amount"),
        (f"{YEAR}/transactions.parquet", 4, "duplicate_row"),
    ]
    degrees = {r["corporate_number"]: r for r in run.records("published_firm_degrees")}
    assert degrees[cn(1)]["out_of_prefecture_sales_jpy"] == 7


def test_parquet_float_and_decimal_columns_holding_whole_numbers_are_integers(pipeline):
    """pandas writes an integer column with missing values as float64 (NaN for the missing ones),
    and a decimal(18,2) column may carry a zero fraction: whole values are integers, a real
    fraction is invalid_number / invalid_amount, a missing required value invalid_number; a code in
    a float column (prefecture, corporate number) reads without its .0."""
    folder = pipeline.write([], [])
    for name in ("firms.csv", "transactions.csv"):
        (folder / name).unlink()
    nan, money = float("nan"), pa.decimal128(18, 2)
    firms = {
        "corporate_number": [cn(n) for n in range(1, 6)],
        "name": [f"株式会社{n}" for n in range(1, 6)],
        "prefecture_code": pa.array([13.0, 27.0, 13.0, 13.0, 13.0]),
        "jsic_division": ["E"] * 5,
        "sales_jpy": pa.array([5e9, 5e9, 2.5, 5e9, 5e9]),
        "employees": pa.array([100.0, 120.0, 100.0, 100.0, nan]),
        "capital_jpy": pa.array([Decimal("300000000.00"), None, None, Decimal("1.50"), None], money),
        "export_sales_jpy": pa.array([nan, 0.0, nan, nan, nan]),
    }
    pq.write_table(pa.table(firms), folder / "firms.parquet")
    amounts = pa.array([Decimal("1000.00"), Decimal("7.50")], money)
    sales = {
        "supplier_corporate_number": [cn(1), cn(2)],
        "customer_corporate_number": [float(cn(2)), float(cn(1))],
    }
    pq.write_table(pa.table({**sales, "amount_jpy": amounts}), folder / "transactions.parquet")
    run = pipeline.run_stages(tolerance=1.0)
    assert run.success, run.failure
    got = _quarantined_rows(run)
    assert got == [
        (f"{YEAR}/firms.parquet", 3, "invalid_number"),
        (f"{YEAR}/firms.parquet", 4, "invalid_number"),
        (f"{YEAR}/firms.parquet", 5, "invalid_number"),
        (f"{YEAR}/transactions.parquet", 2, "invalid_amount"),
    ]
    degrees = {r["corporate_number"]: r for r in run.records("published_firm_degrees")}
    assert {k: degrees[cn(1)][k] for k in ("prefecture_code", "sales_jpy", "employees")} == {
        "prefecture_code": "13",
        "sales_jpy": 5_000_000_000,
        "employees": 100,
    }
    assert degrees[cn(1)]["out_of_prefecture_sales_jpy"] == 1_000


# ---------------------------------------------------------------- the quarantine tolerance blocks publication


@pytest.mark.slow
def test_default_tolerance_blocks_publication(pipeline):
    firms = [firm(n, "13" if n % 2 else "27") for n in range(1, 11)]
    sales = [sale(n, n + 1, 1_000) for n in range(1, 9)] + [sale(1, 99, 1_000), sale(2, 2, 1_000)]
    pipeline.write(firms, sales)
    run = pipeline.run()
    assert not run.success
    assert "check quarantine_within_tolerance on quarantined_transactions failed" in run.failure
    assert f"{YEAR}/transactions.csv: 20.00% of yen and 20.00% of rows (2 of 10) quarantined" in run.failure
    assert "tolerance 1.00%" in run.failure
    assert not run.published.exists()


@pytest.mark.slow
def test_flows_beyond_the_largest_yen_figure_name_the_firm_and_the_limit(pipeline):
    """11 suppliers each selling ¥9e17 to one firm: its purchases (¥9.9e18) pass BIGINT. The run
    fails naming the firm, the flow and the limit, instead of an INT128→INT64 conversion error."""
    pipeline.write(
        [firm(n, "13") for n in range(1, 13)], [sale(n, 12, 900_000_000_000_000_000) for n in range(1, 12)]
    )
    run = pipeline.run()
    assert not run.success
    assert run.failure.startswith("firm_flows: the flows of a firm exceed the largest yen figure"), (
        run.failure
    )
    assert "¥9,223,372,036,854,775,807" in run.failure
    named = f"{cn(12)} (株式会社テスト12): in-prefecture purchases ¥9,900,000,000,000,000,000 from 11"
    assert named in run.failure
    assert not run.published.exists()


# ---------------------------------------------------------------- values that must be accepted

SPREADSHEET_UNSAFE = {24: "=SUM(A1:A2)", 25: "+81-3-0000", 26: "-1 Inc", 27: "@home", 28: "\tタブ"}
NAMES = {
    21: 'He said "hi"',
    22: "Kabushiki, Kaisha",
    23: "line one\nline two",
    31: "a bare\rcarriage return",
    29: "長" * 10_000,
    30: "株式会社テスト",
    **SPREADSHEET_UNSAFE,
}
NUMBERS = {  # firm: (overrides, expected published values)
    11: (dict(prefecture_code="０１"), dict(prefecture_code="01")),
    12: (dict(prefecture_code="1"), dict(prefecture_code="01")),
    13: (dict(sales_jpy="５０００"), dict(sales_jpy=5000)),
    14: (dict(sales_jpy="1,234,000"), dict(sales_jpy=1_234_000)),
    15: (dict(employees="１２０"), dict(employees=120)),
    16: (dict(corporate_number=full_width(cn(16))), dict(corporate_number=cn(16))),
}


def _accepted_inputs(pipeline: Pipeline) -> None:
    firms = GOOD_FIRMS + [firm(n, "13", **over) for n, (over, _) in NUMBERS.items()]
    firms += [firm(n, "13", name=name) for n, name in NAMES.items()]
    sales = [sale(n, 2, 1_000) for n in NAMES] + [sale(1, 2, "1,234"), sale(11, 2, "１０００")]
    pipeline.write(firms, sales)


@pytest.fixture(scope="module")
def accepted(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("accepted"))
    _accepted_inputs(pipeline)
    run = pipeline.run_stages()
    assert run.success, run.failure
    return run


@pytest.fixture(scope="module")
def accepted_published(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("accepted_published"))
    _accepted_inputs(pipeline)
    run = pipeline.run()
    assert run.success, run.failure
    return run


@pytest.mark.parametrize("n", list(NUMBERS))
def test_normalised_values_are_accepted(accepted, n):
    degrees = {row["corporate_number"]: row for row in accepted.records("published_firm_degrees")}
    assert accepted.records("published_quarantine") == []
    row = degrees[cn(n)]
    assert {k: row[k] for k in NUMBERS[n][1]} == NUMBERS[n][1]


def test_formatted_amounts_are_accepted(accepted):
    degrees = {row["corporate_number"]: row for row in accepted.records("published_firm_degrees")}
    assert degrees[cn(1)]["out_of_prefecture_sales_jpy"] == 1_234
    assert degrees[cn(11)]["out_of_prefecture_sales_jpy"] == 1_000


@pytest.mark.slow
@pytest.mark.parametrize("n", list(NAMES))
def test_names_round_trip(accepted_published, n):
    accepted = accepted_published
    degrees = {row["corporate_number"]: row for row in accepted.parquet("firm_degrees")}
    assert degrees[cn(n)]["name"] == NAMES[n]
    candidates = {row["corporate_number"]: row for row in accepted.parquet("national_candidates")}
    assert candidates[cn(n)]["name"] == NAMES[n]
    for path in (
        accepted.published / "national_candidates.csv",
        accepted.published / "prefectures" / "13.csv",
    ):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        with path.open(encoding="utf-8-sig", newline="") as f:
            cells = {row["corporate_number"]: row["name"] for row in csv.DictReader(f)}
        assert cells[cn(n)] == ("'" if n in SPREADSHEET_UNSAFE else "") + NAMES[n]


CONTROL_NAMES = {  # firm: (name as delivered, name as published)
    61: ("株式会社\x0bテスト", "株式会社 テスト"),  # a vertical tab, as some exports write a line break
    62: ("A\x1fB", "A B"),
    63: ("Del\x7fete", "Del ete"),
    64: ("Next\x85Line", "Next Line"),  # C1
    65: ("Tab\tand\nnewline stay", "Tab\tand\nnewline stay"),
}


def test_control_characters_in_names_become_spaces_and_are_recorded(pipeline):
    """A control character in a name would break the spreadsheet downloads: it becomes a space,
    never a quarantine reason, and the staging metadata names the lines where that happened."""
    pipeline.write(
        GOOD_FIRMS + [firm(n, "13", name=raw) for n, (raw, _) in CONTROL_NAMES.items()], GOOD_SALES
    )
    run = pipeline.run_stages()
    assert run.success, run.failure
    assert run.records("published_quarantine") == []
    names = {r["corporate_number"]: r["name"] for r in run.records("published_firm_degrees")}
    assert {n: names[cn(n)] for n in CONTROL_NAMES} == {n: clean for n, (_, clean) in CONTROL_NAMES.items()}
    [staged] = [
        e.materialization
        for e in run.result.get_asset_materialization_events()
        if e.materialization.asset_key.to_user_string() == "staged_firms"
    ]
    replaced = staged.metadata["names with control characters, each replaced by a space"]
    assert replaced.value == "4 (lines 4, 5, 6, 7)"


CP932_NAMES = ["株式会社髙島工業", "①産業合同会社", "有限会社ヤマト～運輸", "ｶﾌﾞｼｷｶﾞｲｼｬ ｻﾝﾌﾟﾙ"]


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        pytest.param("cp932", CP932_NAMES, id="cp932"),
        pytest.param("cp932", ["ﾄｳﾎｳ", "株式会社東邦"], id="cp932-half-width-kana-that-looks-like-utf-8"),
        pytest.param("utf-8-sig", ["株式会社テスト", "BOM"], id="utf-8-with-bom"),
    ],
)
def test_encodings_are_accepted_and_names_round_trip(pipeline, encoding, names):
    firms = [firm(n, "13" if n % 2 else "27", name=name) for n, name in enumerate(names, start=1)]
    folder = pipeline.write(firms, GOOD_SALES)
    write_csv(folder / "firms.csv", FIRMS.columns, firms, encoding)
    write_csv(folder / "transactions.csv", TRANSACTIONS.columns, GOOD_SALES, encoding)
    run = pipeline.run_stages()
    assert run.success, run.failure
    assert run.records("published_quarantine") == []
    assert {r["corporate_number"]: r["name"] for r in run.records("published_firm_degrees")} == {
        cn(n): name for n, name in enumerate(names, start=1)
    }


def test_the_catalogue_covers_every_reason_of_the_contract():
    cases = [*FIRM_CASES.values(), *TX_CASES.values()]
    covered = {reason for _, reasons in cases for reason in reasons if reason}
    assert covered == set(QUARANTINE_REASONS)
