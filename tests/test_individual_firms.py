"""Firms without a 法人番号: 個人 (sole proprietors) keyed by the vendor's code, through staging,
the degrees, the published lists and `explain`.

One small delivery, run once. Prefecture 13 has A (法人, cn(1), vendor code A1), B (個人, V2)
and C (法人, cn(3)); prefecture 27 has D (個人, V4). Staged transactions, each side by its
法人番号 or, where that cell is empty, by its vendor code:

    A → D 100 (to another prefecture)   B → A 50 (inside 13)
    C → B  30 (inside 13)               D → B 70 (into 13 from 27)

By hand (contract §3): out-of-prefecture sales A 100, D 70, others 0; in-prefecture purchases
A 50, B 30, others 0. Prefecture 13's denominators are 100 and 80: A's connector degree 1 and
hub degree 50/80 = 0.625, B's hub degree 30/80 = 0.375. D alone in 27: connector degree 1, and
no hub degree (its denominator is 0).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import YEAR, Pipeline, cli, cn, firm

BIG = {"sales": 5_000_000_000, "employees": 100}


def individual(code: str, prefecture: str, name: str, **extra) -> dict:
    return firm(
        0, prefecture, corporate_number="", vendor_code=code, legal_form="個人", name=name, **BIG | extra
    )


FIRMS = [
    firm(1, "13", vendor_code="A1", **BIG),
    individual("V2", "13", "山田商店"),
    firm(3, "13", legal_form="法人", **BIG),
    individual("V4", "27", "大阪の鈴木"),
    # Quarantined, each with the reason it must get:
    firm(0, "13", corporate_number="", legal_form="個人"),  # no number and no code
    firm(0, "13", corporate_number="", vendor_code="V6"),  # a 法人 without its number
    firm(0, "13", corporate_number="1234567890123", vendor_code="V7", legal_form="個人"),  # bad check digit
    individual("V8", "13", "重複一"),
    individual("V8", "14", "重複二"),  # the same vendor code twice: both rows
    firm(9, "13", legal_form="NPO"),
]
FIRM_REASONS = {
    6: "invalid_corporate_number",
    7: "invalid_corporate_number",
    8: "invalid_corporate_number",
    9: "duplicate_firm",
    10: "duplicate_firm",
    11: "invalid_legal_form",
}


def sale(supplier: str, customer: str, amount: int) -> dict:
    """A transaction naming each side by 法人番号 (digits) or vendor code (anything else)."""
    row = {"amount_jpy": amount}
    for side, who in (("supplier", supplier), ("customer", customer)):
        by_number = who.isdigit()
        row[f"{side}_corporate_number"] = who if by_number else ""
        row[f"{side}_vendor_code"] = "" if by_number else who
    return row


TRANSACTIONS = [
    sale(cn(1), "V4", 100),
    sale("V2", cn(1), 50),
    sale(cn(3), "V2", 30),
    sale("V4", "V2", 70),
    # Quarantined:
    sale("V9", cn(1), 10),  # no staged firm has V9
    {**sale(cn(3), cn(1), 10), "supplier_corporate_number": ""},  # neither number nor code
    sale("V2", "V2", 10),  # the same 個人 on both sides
    sale(cn(1), "A1", 10),  # A by its number and by its code
    sale(cn(3), "V6", 10),  # V6's firm row was quarantined
]
TRANSACTION_REASONS = {
    6: "unknown_supplier",
    7: "invalid_corporate_number",
    8: "self_transaction",
    9: "self_transaction",
    10: "unknown_customer",
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    pipeline = Pipeline(tmp_path_factory.mktemp("individuals"))
    pipeline.write(FIRMS, TRANSACTIONS)
    outcome = pipeline.run(tolerance=1)
    assert outcome.success, outcome.failure
    return outcome


def _by_firm(rows: list[dict]) -> dict[str, dict]:
    return {r["corporate_number"] or f"vendor:{r['vendor_code']}": r for r in rows}


def test_quarantine_reasons_and_rows_reconcile(run) -> None:
    quarantine = run.parquet("quarantine")
    firms = {r["row_number"]: r["reason"] for r in quarantine if r["source_file"].endswith("firms.csv")}
    sales = {
        r["row_number"]: r["reason"] for r in quarantine if r["source_file"].endswith("transactions.csv")
    }
    assert firms == FIRM_REASONS
    assert sales == TRANSACTION_REASONS
    staged = run.query("select count(*) from staged_firms where fiscal_year = ?", [int(YEAR)])[0][0]
    assert staged + len(firms) == len(FIRMS)
    # The raw values keep the identity columns the row had, to be explained later.
    raw = json.loads(
        next(r["raw"] for r in quarantine if r["row_number"] == 11 and "firms" in r["source_file"])
    )
    assert raw["legal_form"] == "NPO" and raw["corporate_number"] == cn(9)


def test_individuals_count_in_every_numerator_and_denominator(run) -> None:
    degrees = _by_firm(run.parquet("firm_degrees"))
    assert set(degrees) == {cn(1), "vendor:V2", cn(3), "vendor:V4"}
    a, b, c, d = degrees[cn(1)], degrees["vendor:V2"], degrees[cn(3)], degrees["vendor:V4"]
    assert (a["out_of_prefecture_sales_jpy"], a["in_prefecture_purchases_jpy"]) == (100, 50)
    assert (b["out_of_prefecture_sales_jpy"], b["in_prefecture_purchases_jpy"]) == (0, 30)
    assert (c["out_of_prefecture_sales_jpy"], c["in_prefecture_purchases_jpy"]) == (0, 0)
    assert (d["out_of_prefecture_sales_jpy"], d["in_prefecture_purchases_jpy"]) == (70, 0)
    assert a["connector_degree"] == 1.0 and a["hub_degree"] == pytest.approx(50 / 80, abs=1e-15)
    assert b["connector_degree"] == 0.0 and b["hub_degree"] == pytest.approx(30 / 80, abs=1e-15)
    assert (b["hub_rank"], a["hub_rank"], c["hub_rank"]) == (2, 1, 3)
    assert d["connector_degree"] == 1.0 and d["hub_degree"] is None
    assert (b["corporate_number"], b["vendor_code"], b["legal_form"]) == (None, "V2", "個人")
    assert (a["vendor_code"], a["legal_form"], c["vendor_code"], c["legal_form"]) == (
        "A1",
        "法人",
        None,
        "法人",
    )
    totals = dict(
        (code, (out, inside))
        for code, out, inside in run.query(
            "select prefecture_code, out_of_prefecture_sales_jpy, in_prefecture_purchases_jpy "
            "from prefecture_totals where fiscal_year = ? and prefecture_code in ('13', '27')",
            [int(YEAR)],
        )
    )
    assert totals == {"13": (100, 80), "27": (70, 0)}


def test_an_individual_is_a_candidate_listed_by_vendor_code(run) -> None:
    listed = _by_firm(run.parquet("national_candidates"))
    assert {cn(1), "vendor:V2", "vendor:V4"} <= set(listed)
    # Sorted by prefecture, the larger degree, then the firm: a 個人 after the numbers on a tie.
    order = [r["corporate_number"] or r["vendor_code"] for r in run.parquet("national_candidates")]
    assert order == [cn(1), "V2", "V4"]
    with (run.published / "prefectures" / "13.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[-2:] == ["vendor_code", "legal_form"]
    b = next(r for r in rows if r["vendor_code"] == "V2")
    assert (b["corporate_number"], b["legal_form"], b["name"]) == ("", "個人", "山田商店")


def test_explain_finds_an_individual_by_vendor_code(run) -> None:
    shown = cli(run.paths, "explain", "--vendor-code", "V2", "--all-transactions")
    assert shown.returncode == 0, shown.stderr
    assert "山田商店（企業コード V2、2025年度）: 重点支援企業候補です" in shown.stdout
    assert "法人・個人の別: 個人" in shown.stdout
    # Its hub degree is made of C's sale alone (D's is from another prefecture).
    assert f"{cn(3)} 株式会社テスト3（13） ¥30" in shown.stdout
    answer = json.loads(cli(run.paths, "explain", "--vendor-code", "Ｖ２", "--json").stdout)
    assert (answer["corporate_number"], answer["vendor_code"], answer["status"]) == (None, "V2", "candidate")
    # A's largest out-of-prefecture sale is to D, named by its code.
    a = cli(run.paths, "explain", cn(1))
    assert "企業コード V4 大阪の鈴木（27） ¥100" in a.stdout
    # A 法人 is found by its vendor code too, and named by its number.
    by_code = json.loads(cli(run.paths, "explain", "--vendor-code", "A1", "--json").stdout)
    assert (by_code["corporate_number"], by_code["status"]) == (cn(1), "candidate")


def test_explain_names_the_quarantined_rows_of_a_code(run) -> None:
    answer = json.loads(cli(run.paths, "explain", "--vendor-code", "V8", "--json").stdout)
    assert answer["status"] == "quarantined"
    assert [(q["row_number"], q["reason"]) for q in answer["quarantine"]] == [
        (9, "duplicate_firm"),
        (10, "duplicate_firm"),
    ]
    unknown = json.loads(cli(run.paths, "explain", "--vendor-code", "V9", "--json").stdout)
    assert unknown["status"] == "quarantined"
    assert [(q["row_number"], q["reason"]) for q in unknown["quarantined_transactions"]] == [
        (6, "unknown_supplier")
    ]
    both = cli(run.paths, "explain", cn(1), "--vendor-code", "A1")
    assert both.returncode == 2 and "not both" in both.stderr


def test_explain_reads_a_kojin_from_the_release_files_while_a_run_holds_the_warehouse(run) -> None:
    from pipeline.commands.explain import FirmAsked
    from pipeline.commands.explain_release import explain_release
    from tests.test_explain import holding_the_warehouse

    with holding_the_warehouse(run.paths):
        kojin = explain_release(run.paths, FirmAsked.by_vendor_code("V2"))
        houjin = explain_release(run.paths, FirmAsked.by_vendor_code("A1"))
    assert (kojin["detail_from"], kojin["status"]) == ("release_files", "candidate")
    assert (kojin["firm"]["vendor_code"], kojin["firm"]["legal_form"]) == ("V2", "個人")
    assert kojin["firm"]["corporate_number"] is None
    assert kojin["firm"]["hub_degree"] == pytest.approx(30 / 80, abs=1e-15)
    assert (houjin["firm"]["corporate_number"], houjin["firm"]["vendor_code"]) == (cn(1), "A1")


def test_a_release_from_before_vendor_codes_is_read_by_number_and_finds_no_code(run, tmp_path) -> None:
    import duckdb

    from pipeline.warehouse.connection import fetch_records
    from pipeline.warehouse.schema import load_macros

    old = tmp_path / "firm_degrees.parquet"
    with duckdb.connect() as con:
        load_macros(con)
        source = str(run.published / "firm_degrees.parquet")
        con.execute(
            f"copy (select * exclude (vendor_code, legal_form) from read_parquet('{source}')) to '{old}'"
        )
        thresholds = {"min_sales_jpy": 0, "min_employees": 0, "excluded_size_classes": []}
        by_number = fetch_records(
            con, "explain/release_firm", firm_degrees=str(old), corporate_number=cn(1), vendor_code=None,
            **thresholds,
        )  # fmt: skip
        by_code = fetch_records(
            con, "explain/release_firm", firm_degrees=str(old), corporate_number=None, vendor_code="A1",
            **thresholds,
        )  # fmt: skip
    found = [(r["corporate_number"], r["vendor_code"], r["legal_form"]) for r in by_number]
    assert found == [(cn(1), None, None)]
    assert by_code == []


def test_assess_finds_an_individual_by_vendor_code_and_recomputes_its_prefecture(run, tmp_path) -> None:
    """B (個人 V2) assessed with evidence: a sale of 40 to C (13), a sale of 200 to 97, a firm in
    no firms file (40, Fukuoka, by the evidence), and a purchase of 60 from A (13).

    The adjusted network drops B's vendor rows (B → A 50, C → B 30, D → B 70) and adds the three,
    so prefecture 13 keeps A → D 100 and gains B → C 40, B → 97 200, A → B 60. By hand:
    out-of-prefecture sales A 100, B 200, C 0 (Σ 300); in-prefecture purchases A 0 (was 50),
    B 60, C 40 (was 0) (Σ 100). B: connector 200/300, hub 60/100, both ranked first; A and C
    are the two other firms whose in-prefecture purchases change."""
    from tests.conftest import write_csv

    evidence = write_csv(
        tmp_path / "b.csv",
        ("direction", "counterparty_corporate_number", "counterparty_prefecture_code", "amount_jpy"),
        [
            {"direction": "sale", "counterparty_corporate_number": cn(3),
             "counterparty_prefecture_code": "13", "amount_jpy": 40},
            {"direction": "sale", "counterparty_corporate_number": cn(97),
             "counterparty_prefecture_code": "40", "amount_jpy": 200},
            {"direction": "purchase", "counterparty_corporate_number": cn(1),
             "counterparty_prefecture_code": "13", "amount_jpy": 60},
        ],
    )  # fmt: skip
    done = cli(
        run.paths, "assess", "--vendor-code", "V2", "--evidence", str(evidence), "--year", YEAR, "--json"
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["corporate_number"], answer["vendor_code"], answer["firm_id"]) == (None, "V2", "vendor:V2")
    assert answer["firm"]["legal_form"] == "個人" and answer["firm"]["name"] == "山田商店"
    before, after = answer["before"], answer["after"]
    assert (before["out_of_prefecture_sales_jpy"], before["in_prefecture_purchases_jpy"]) == (0, 30)
    assert before["hub_degree"] == pytest.approx(30 / 80, abs=1e-15)
    assert (after["out_of_prefecture_sales_jpy"], after["in_prefecture_purchases_jpy"]) == (200, 60)
    assert (
        after["prefecture_out_of_prefecture_sales_jpy"],
        after["prefecture_in_prefecture_purchases_jpy"],
    ) == (
        300,
        100,
    )
    assert after["connector_degree"] == pytest.approx(200 / 300, abs=1e-15)
    assert after["hub_degree"] == pytest.approx(60 / 100, abs=1e-15)
    assert (after["connector_rank"], after["hub_rank"], after["prefecture_firms"]) == (1, 1, 3)
    assert answer["other_firms_with_changed_in_prefecture_purchases"] == 2
    removed = answer["vendor_rows_removed"]
    assert (removed["sale"]["amount_jpy"], removed["purchase"]["amount_jpy"]) == (50, 100)
    # The vendor's purchase from D names D by its code, D having no 法人番号.
    vendor_only = {
        (c["direction"], c["corporate_number"], c["vendor_code"])
        for c in answer["counterparties"]["vendor_only"]
    }
    assert ("purchase", None, "V4") in vendor_only
    # The files and the audit trail name it by its code.
    files = answer["files"]
    assert files["json"].split("/")[-1].startswith("vendor-V2-") and files["markdown"].endswith(".md")
    markdown = Path(files["markdown"]).read_text(encoding="utf-8")
    assert "山田商店（企業コード V2、個人、2025年度）" in markdown
    [entry] = [
        json.loads(line)
        for line in (run.paths.marts_dir / "assessments" / YEAR / "assessments.jsonl")
        .read_text()
        .splitlines()
        if json.loads(line)["json_path"] == files["json"]
    ]
    assert entry["corporate_number"] == "vendor:V2" and entry["prefecture_code"] == "13"


def test_assess_refuses_a_code_that_is_not_a_staged_firm(run, tmp_path) -> None:
    from tests.conftest import write_csv

    evidence = write_csv(
        tmp_path / "e.csv",
        ("direction", "counterparty_corporate_number", "counterparty_prefecture_code", "amount_jpy"),
        [{"direction": "sale", "counterparty_corporate_number": cn(3), "counterparty_prefecture_code": "13",
          "amount_jpy": 40}],
    )  # fmt: skip
    args = ("--evidence", str(evidence), "--year", YEAR)
    duplicate = cli(run.paths, "assess", "--vendor-code", "V8", *args)
    assert duplicate.returncode == 2
    assert (
        "企業コード V8 is not a staged firm of fiscal year 2025: its firms row was quarantined"
        in duplicate.stderr
    )
    assert "line 9: duplicate_firm" in duplicate.stderr and "line 10: duplicate_firm" in duplicate.stderr
    unknown = cli(run.paths, "assess", "--vendor-code", "NOPE", *args)
    assert unknown.returncode == 2 and "企業コード NOPE is not a staged firm" in unknown.stderr
    both = cli(run.paths, "assess", cn(1), "--vendor-code", "A1", *args)
    assert both.returncode == 2 and "not both" in both.stderr
    for command in ("assess", "explain"):
        empty = cli(run.paths, command, "--vendor-code", " ", *(args if command == "assess" else ()))
        assert (empty.returncode, empty.stderr) == (2, "error: the vendor code is empty\n")
    # A 法人 asked by its code is assessed as the 法人 it is.
    by_code = cli(run.paths, "assess", "--vendor-code", "A1", *args, "--json")
    assert by_code.returncode == 0, by_code.stderr
    assert json.loads(by_code.stdout)["corporate_number"] == cn(1)
