"""個人 (firms without a 法人番号) in plans and the 一覧: named by the vendor's code in the firms
file, verified in the release by that code, designated from their prefecture's list or with
evidence (assessed by that code), published with an empty 法人番号 and their vendor code,
counted once, diffed by firm, never found by a lookup by number, and counted in the KPIs.

The world (tests/designations/conftest.py) has in Kanagawa the 個人 KOJIN, big and selling to
Osaka (on Kanagawa's list), the small 個人 KOJIN_SMALL and the small 法人 KANAGAWA_FIRM."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from pipeline.designations.firms_file import FirmsFileError, read_firms_file
from pipeline.designations.store import Designation, PlanStore
from pipeline.stages.publication.spreadsheet_safe import spreadsheet_safe
from tests.conftest import cn
from tests.designations.conftest import (
    CANDIDATES,
    KANAGAWA,
    KANAGAWA_FIRM,
    KOJIN,
    KOJIN_SIZES,
    KOJIN_SMALL,
    KOJIN_TRANSACTIONS,
    PREFECTURE_OF,
    TRANSACTIONS,
    evidence_file,
    linked_marts,
    ok,
    plan_file,
)
from tests.portal.conftest import logged_in, portal_over

KANAGAWA_PLAN = ("--prefecture", KANAGAWA, "--title", "神奈川ものづくり計画", "--focus", "金属加工",
                 "--from", "2026-04-01", "--to", "2030-03-31")  # fmt: skip
TOKYO_PLAN = ("--prefecture", "13", "--title", "東京計画", "--focus", "半導体",
              "--from", "2026-04-01", "--to", "2030-03-31")  # fmt: skip
COLUMNS = ("corporate_number", "vendor_code", "basis", "evidence_file", "note")


def released_kojin(world, code: str) -> dict:
    """The 個人's row in the live 2025 release, read straight from its own file."""
    with duckdb.connect() as con:
        [row] = con.execute(
            "select corporate_number, vendor_code, legal_form, prefecture_code, name "
            "from read_parquet(?) where vendor_code = ?",
            [str(world.paths.marts_dir / "2025" / "firm_degrees.parquet"), code],
        ).fetchall()
    return dict(
        zip(("corporate_number", "vendor_code", "legal_form", "prefecture_code", "name"), row, strict=True)
    )


def on_list(world, code: str) -> bool:
    with duckdb.connect() as con:
        (count,) = con.execute(
            "select count(*) from read_parquet(?) where vendor_code = ? and prefecture_code = ?",
            [str(world.paths.marts_dir / "2025" / "national_candidates.parquet"), code, KANAGAWA],
        ).fetchone()
    return count == 1


def test_the_world_has_a_kojin_on_kanagawas_list_and_one_off_it(world):
    kojin = released_kojin(world, KOJIN)
    assert kojin["corporate_number"] is None and kojin["legal_form"] == "個人"
    assert kojin["prefecture_code"] == KANAGAWA
    assert on_list(world, KOJIN) and not on_list(world, KOJIN_SMALL)


def test_a_firms_file_names_a_kojin_by_its_vendor_code_csv_and_xlsx(tmp_path):
    csv_path = plan_file(tmp_path, [
        {"法人番号": cn(1), "根拠": "候補"},
        {"企業コード（データ提供元）": "ＫＪ４２ ", "根拠": "候補"},
    ], columns=("法人番号", "企業コード（データ提供元）", "根拠"))  # fmt: skip
    book = Workbook()
    book.active.append(["vendor_code", "basis", "note"])
    book.active.append(["KJ42", "candidate", "個人"])
    book.save(tmp_path / "firms.xlsx")
    by_number, by_code = read_firms_file(csv_path).firms
    assert (by_number.corporate_number, by_number.vendor_code, by_number.firm_id) == (cn(1), "", cn(1))
    assert (by_code.corporate_number, by_code.vendor_code) == ("", "KJ42")  # full-width read as ASCII
    assert by_code.firm_id == "vendor:KJ42"
    [only] = read_firms_file(tmp_path / "firms.xlsx").firms  # no 法人番号 column at all
    assert (only.corporate_number, only.vendor_code, only.basis, only.note) == (
        "",
        "KJ42",
        "candidate",
        "個人",
    )


def test_both_neither_and_a_repeated_code_are_file_problems_and_nothing_is_recorded(marts, tmp_path):
    store = tmp_path / "plans.sqlite3"
    firms = plan_file(tmp_path, [
        {"vendor_code": KOJIN, "basis": "candidate"},
        {"corporate_number": cn(KANAGAWA_FIRM), "vendor_code": "KJ99", "basis": "candidate"},
        {"basis": "candidate", "note": "誰も"},
        {"vendor_code": KOJIN, "basis": "candidate"},
        {"corporate_number": cn(1), "basis": "candidate"},
        {"corporate_number": cn(1), "basis": "candidate"},
    ], columns=COLUMNS)  # fmt: skip
    done = marts.cli(store, "plans", "submit", *KANAGAWA_PLAN, "--firms", str(firms))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    expected = [
        f"line 3: both 法人番号 {cn(KANAGAWA_FIRM)} and vendor_code 'KJ99' given",
        "line 4: neither 法人番号 nor vendor_code given",
        f"line 5: vendor_code {KOJIN} repeats line 2",
        f"line 7: 法人番号 {cn(1)} repeats line 6",
    ]
    for text in expected:
        assert sum(text in e for e in errors) == 1, (text, errors)
    assert errors[-1] == f"error: {len(expected)} problem(s); nothing was recorded"
    assert len(errors) == len(expected) + 1
    assert PlanStore(store).plans() == []


def ichiran_rows(folder) -> list[dict]:
    with duckdb.connect() as con:
        cursor = con.execute("select * from read_parquet(?)", [str(folder / "ichiran.parquet")])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_a_kojin_is_designated_from_the_list_published_by_vendor_code_and_not_found_by_number(
    marts, tmp_path, monkeypatch
):
    store = tmp_path / "plans.sqlite3"
    evidence_file(tmp_path, "kojin_evidence.csv", [("sale", 20, "27", 2_000_000_000)])
    first = plan_file(tmp_path, [
        {"vendor_code": KOJIN, "basis": "candidate"},
        {"vendor_code": KOJIN_SMALL, "basis": "candidate"},
        {"corporate_number": cn(KANAGAWA_FIRM), "basis": "candidate"},
    ], "kanagawa.csv", columns=COLUMNS)  # fmt: skip
    done = ok(marts.cli(store, "plans", "submit", *KANAGAWA_PLAN, "--firms", str(first)))
    assert "3 firms" in done.stdout and f"企業コード {KOJIN}" in done.stdout
    shown = json.loads(ok(marts.cli(store, "plans", "show", "14-0001", "--json")).stdout)
    verdicts = {f["firm_id"]: f for f in shown["firms"]}
    kojin, small = verdicts[f"vendor:{KOJIN}"], verdicts[f"vendor:{KOJIN_SMALL}"]
    released = released_kojin(marts, KOJIN)
    assert kojin["passed"] is True and kojin["corporate_number"] == ""
    assert (kojin["vendor_code"], kojin["legal_form"], kojin["name"]) == (KOJIN, "個人", released["name"])
    assert kojin["head_office_prefecture_code"] == released["prefecture_code"] == KANAGAWA
    assert small["passed"] is False and "候補リストにありません" in small["reason"]

    # An evidence basis for a 個人 is assessed by its vendor code: KOJIN_SMALL's sale of ¥2bn to
    # Osaka is its only out-of-prefecture sale, but its ¥100M of sales fail the size test.
    second = plan_file(tmp_path, [
        {"vendor_code": KOJIN_SMALL, "basis": "evidence", "evidence_file": "kojin_evidence.csv"},
        {"vendor_code": KOJIN, "basis": "candidate"},
    ], "kanagawa2.csv", columns=COLUMNS)  # fmt: skip
    ok(marts.cli(store, "plans", "submit", *KANAGAWA_PLAN, "--firms", str(second)))
    shown = json.loads(ok(marts.cli(store, "plans", "show", "14-0002", "--json")).stdout)
    failed = next(f for f in shown["firms"] if f["vendor_code"] == KOJIN_SMALL)
    assert failed["passed"] is False and "sales_jpy ≥ 1000000000 (is 100000000)" in failed["reason"]
    assessment = json.loads(Path(failed["assessment_file"]).read_text(encoding="utf-8"))
    assert (assessment["corporate_number"], assessment["vendor_code"]) == (None, KOJIN_SMALL)
    assert assessment["after"]["out_of_prefecture_sales_jpy"] == 2_000_000_000
    assert Path(failed["assessment_file"]).name.startswith(f"vendor-{KOJIN_SMALL}-")
    # Kanagawa's staff open that assessment's report in the portal, by the firm's id.
    monkeypatch.setenv("PLANS_DB", str(store))
    monkeypatch.setenv("DUCKDB_PATH", str(marts.paths.duckdb_path))
    portal = portal_over(marts.paths.marts_dir, tmp_path / "portal.sqlite3", ("pref:14",))
    kanagawa = logged_in(portal, "pref:14")
    link = f"/plans/14-0002/1/assessment/vendor%3A{KOJIN_SMALL}"
    assert link in kanagawa.get("/plans/14-0002").text
    report = kanagawa.get(link)
    assert report.status_code == 200 and f"企業コード {KOJIN_SMALL}、個人" in report.text

    # The 個人 in a Tokyo plan: its head office (the release's prefecture, no register) is not Tokyo.
    tokyo = plan_file(tmp_path, [{"vendor_code": KOJIN, "basis": "candidate"},
                                 {"corporate_number": cn(CANDIDATES[0]), "basis": "candidate"}],
                      "tokyo.csv", columns=COLUMNS)  # fmt: skip
    ok(marts.cli(store, "plans", "submit", *TOKYO_PLAN, "--firms", str(tokyo)))
    shown = json.loads(ok(marts.cli(store, "plans", "show", "13-0001", "--json")).stdout)
    elsewhere = next(f for f in shown["firms"] if f["vendor_code"] == KOJIN)
    assert elsewhere["passed"] is False and f"本社所在地が {KANAGAWA}" in elsewhere["reason"]
    assert "14-0001" in elsewhere["flag"]

    refused = marts.cli(store, "plans", "approve", "14-0001", "--revision", "1", "--reason", "確認")
    assert refused.returncode == 2 and f"--exclude {KOJIN_SMALL}" in refused.stderr
    ok(marts.cli(store, "plans", "approve", "14-0001", "--revision", "1", "--reason", "確認",
                 "--exclude", KOJIN_SMALL, cn(KANAGAWA_FIRM)))  # fmt: skip
    ok(marts.cli(store, "plans", "approve", "14-0002", "--revision", "1", "--reason", "確認",
                 "--exclude", f"vendor:{KOJIN_SMALL}"))  # fmt: skip
    assert PlanStore(store).revision("14-0001", 1).excluded == sorted(
        [f"vendor:{KOJIN_SMALL}", cn(KANAGAWA_FIRM)]
    )
    ok(marts.cli(store, "plans", "approve", "13-0001", "--revision", "1", "--reason", "確認",
                 "--exclude", KOJIN))  # fmt: skip
    ok(marts.cli(store, "ichiran", "publish", "--effective", "2026-04-01"))

    v1 = marts.paths.marts_dir / "ichiran" / "v0001"
    rows = ichiran_rows(v1)
    kojin_rows = [r for r in rows if r["vendor_code"] == KOJIN]
    assert sorted(r["plan_id"] for r in kojin_rows) == ["14-0001", "14-0002"]  # two plans
    assert {(r["corporate_number"], r["legal_form"], r["prefecture_code"]) for r in kojin_rows} == {
        (None, "個人", KANAGAWA)
    }
    tokyo_row = next(r for r in rows if r["corporate_number"] == cn(CANDIDATES[0]))
    assert tokyo_row["legal_form"] == "法人"
    assert list(rows[0])[-2:] == ["vendor_code", "legal_form"]
    manifest = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    # One firm per prefecture however many plans designate it, the 個人 by its vendor code.
    expected = {}
    for r in rows:
        expected.setdefault(r["prefecture_code"], set()).add(r["corporate_number"] or r["vendor_code"])
    assert manifest["counts_by_prefecture"] == {k: len(v) for k, v in expected.items()}
    assert manifest["counts_by_prefecture"][KANAGAWA] == 1

    text = (v1 / "ichiran.csv").read_bytes().decode("utf-8-sig")
    table = list(csv.DictReader(text.splitlines()))
    assert list(table[0])[-2:] == ["vendor_code", "legal_form"]
    in_csv = [r for r in table if r["vendor_code"] == spreadsheet_safe(KOJIN)]
    assert spreadsheet_safe(KOJIN) != KOJIN  # the code starts like a formula: it gets its quote
    assert len(in_csv) == 2 and {(r["corporate_number"], r["legal_form"]) for r in in_csv} == {("", "個人")}

    sheet = load_workbook(v1 / "ichiran.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["企業コード（データ提供元）", "法人・個人の別"]
    number_at, code_at, form_at = header.index("法人番号"), len(header) - 2, len(header) - 1
    in_xlsx = [row for row in sheet.iter_rows(min_row=2) if row[code_at].value == KOJIN]
    assert len(in_xlsx) == 2
    for row in in_xlsx:
        assert row[number_at].value is None and row[form_at].value == "個人"
        assert row[code_at].data_type == "s" and row[code_at].quotePrefix  # text, never a formula

    history = marts.paths.marts_dir / "ichiran" / "history.parquet"
    with duckdb.connect() as con:
        listed = con.execute(
            "select corporate_number, plan_id from read_parquet(?) where vendor_code = ? order by plan_id",
            [str(history), KOJIN],
        ).fetchall()
    assert listed == [(None, "14-0001"), (None, "14-0002")]
    # The lookups are by 法人番号: the 個人 has none, and its code is not one.
    refused = marts.cli(store, "ichiran", "lookup", KOJIN, "--as-of", "2026-06-30")
    assert refused.returncode == 2 and "13 digits" in refused.stderr
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("法人番号\n" + "\n".join([cn(CANDIDATES[0]), '""', KOJIN]) + "\n", encoding="utf-8")
    out = tmp_path / "answers.csv"
    done = ok(marts.cli(store, "ichiran", "lookup", "--file", str(numbers), "--out", str(out),
                        "--as-of", "2026-06-30"))  # fmt: skip
    answers = list(csv.DictReader(out.read_bytes().decode("utf-8-sig").splitlines()))
    assert [a["status"] for a in answers] == ["listed", "invalid", "invalid"]
    assert answers[0]["plan_ids"] == "13-0001"  # the Tokyo firm; no 個人's plan is answered for a number

    # Revision 2 of 14-0001 drops the 個人 (its only other firm is excluded): v2 removes that row.
    third = plan_file(tmp_path, [{"corporate_number": cn(KANAGAWA_FIRM), "basis": "candidate"}],
                      "kanagawa3.csv", columns=COLUMNS)  # fmt: skip
    ok(marts.cli(store, "plans", "submit", *KANAGAWA_PLAN, "--plan", "14-0001", "--firms", str(third)))
    ok(marts.cli(store, "plans", "approve", "14-0001", "--revision", "2", "--reason", "見直し",
                 "--exclude", cn(KANAGAWA_FIRM)))  # fmt: skip
    ok(marts.cli(store, "ichiran", "publish", "--effective", "2026-10-01"))
    changes = json.loads(ok(marts.cli(store, "ichiran", "diff", "1", "2", "--json")).stdout)
    assert [(c["change"], c["corporate_number"], c["vendor_code"], c["plan_id"]) for c in changes] == [
        ("removed", None, KOJIN, "14-0001")
    ]
    assert f"- 企業コード {KOJIN}" in ok(marts.cli(store, "ichiran", "diff", "1", "2")).stdout
    v2 = json.loads(
        (marts.paths.marts_dir / "ichiran" / "v0002" / "manifest.json").read_text(encoding="utf-8")
    )
    assert v2["counts_by_prefecture"][KANAGAWA] == 1  # still designated by 14-0002
    kept = [r for r in ichiran_rows(marts.paths.marts_dir / "ichiran" / "v0002") if r["vendor_code"] == KOJIN]
    assert [(r["plan_id"], str(r["designated_from"])) for r in kept] == [("14-0002", "2026-04-01")]
    with duckdb.connect() as con:
        intervals = con.execute(
            "select plan_id, listed_from, listed_until from read_parquet(?) "
            "where vendor_code = ? order by plan_id",
            [str(history), KOJIN],
        ).fetchall()
    assert [(p, str(a), str(b)) for p, a, b in intervals] == [
        ("14-0001", "2026-04-01", "2026-09-30"),
        ("14-0002", "2026-04-01", "2030-03-31"),
    ]


def in_kanagawa(supplier, customer) -> bool:
    return PREFECTURE_OF[supplier] == PREFECTURE_OF[customer] == KANAGAWA


def test_kpis_count_a_designated_kojin(marts, tmp_path):
    from pipeline.designations.kpis import compute

    store = tmp_path / "plans.sqlite3"
    firms = plan_file(tmp_path, [{"vendor_code": KOJIN, "basis": "candidate"}], columns=COLUMNS)
    ok(marts.cli(store, "plans", "submit", *KANAGAWA_PLAN, "--firms", str(firms)))
    plans = PlanStore(store)
    kpis = compute(marts.paths, plans, plans.revision("14-0001"))
    years = {y["fiscal_year"]: y for y in kpis["years"]}
    assert sorted(years) == sorted(KOJIN_SIZES)
    for year, (sales, employees, wage) in KOJIN_SIZES.items():
        inside = [a for s, c, a in TRANSACTIONS[year] + KOJIN_TRANSACTIONS[year]
                  if KOJIN in (s, c) and in_kanagawa(s, c)]  # fmt: skip
        assert inside  # the data set gives the 個人 trade inside Kanagawa every year
        assert years[year]["firms_found"] == years[year]["designated_firms"] == 1
        assert years[year]["sales_jpy"] == sales
        assert years[year]["employees"] == employees
        assert years[year]["average_wage_jpy"] == wage
        assert years[year]["in_region_transactions_jpy"] == sum(inside)


def test_an_older_store_opens_and_gets_the_new_columns(tmp_path):
    """A store made before the vendor code was recorded: the columns are added, its rows kept."""
    path = tmp_path / "plans.sqlite3"
    store = PlanStore(path)
    fields = {"title": "t", "focus": "f", "valid_from": "2026-04-01", "valid_to": "2030-03-31",
              "reference_year": 2025, "release_id": "2025-x", "release_manifest_sha256": "0" * 64,
              "firms_file": "firms.csv", "firms_file_sha256": "0" * 64, "kpi_targets": []}  # fmt: skip
    store.record_revision(
        None, "13", None, fields, [Designation(1, cn(1), "candidate", True, "ok", "2025-x")]
    )
    with sqlite3.connect(path) as con:  # back to the shape of a store made before the columns
        for column in ("vendor_code", "legal_form"):
            con.execute(f"alter table designations drop column {column}")
        before = con.execute("select * from designations").fetchall()
        assert "vendor_code" not in {r[1] for r in con.execute("pragma table_info(designations)")}
    [old] = PlanStore(path).designations("13-0001", 1)
    assert (old.corporate_number, old.vendor_code, old.legal_form, old.firm_id) == (cn(1), None, None, cn(1))
    with sqlite3.connect(path) as con:
        columns = [r[1] for r in con.execute("pragma table_info(designations)")]
        assert columns[-2:] == ["vendor_code", "legal_form"]
        assert [tuple(r[: len(before[0])]) for r in con.execute("select * from designations")] == before
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("update designations set vendor_code = 'x'")
    kojin = Designation(1, "", "candidate", True, "ok", "2025-x", vendor_code="V1", legal_form="個人")
    store.record_revision(
        "13-0001", "13", None, fields, [kojin, Designation(2, cn(2), "candidate", True, "ok", "2025-x")]
    )
    assert [(d.corporate_number, d.vendor_code, d.firm_id) for d in store.designations("13-0001", 2)] == [
        ("", "V1", "vendor:V1"),
        (cn(2), None, cn(2)),
    ]


def test_an_xlsx_row_with_both_or_neither_is_reported(tmp_path):
    book = Workbook()
    book.active.append(["法人番号", "企業コード", "根拠"])
    book.active.append([cn(1), "KJ1", "候補"])
    book.active.append([None, None, "候補"])
    book.save(tmp_path / "firms.xlsx")
    with pytest.raises(FirmsFileError) as raised:
        read_firms_file(tmp_path / "firms.xlsx")
    assert len(raised.value.problems) == 2
    assert "line 2: both 法人番号" in raised.value.problems[0]
    assert "line 3: neither 法人番号 nor vendor_code" in raised.value.problems[1]


def test_the_portal_form_ticks_a_kojin_on_the_list_and_designates_it_by_vendor_code(
    world, tmp_path, monkeypatch
):
    from tests.portal.conftest import CSRF, logged_in, portal_over

    marts = linked_marts(world, tmp_path)
    monkeypatch.setenv("PLANS_DB", str(tmp_path / "plans.sqlite3"))
    monkeypatch.setenv("DUCKDB_PATH", str(world.paths.duckdb_path))
    portal = portal_over(marts.paths.marts_dir, tmp_path / "portal.sqlite3", ("pref:14",))
    kanagawa = logged_in(portal, "pref:14")
    form = kanagawa.get("/plans/new")
    assert form.status_code == 200
    tick = f"vendor:{KOJIN}"  # the 個人's firm id: never an empty 法人番号
    assert f'name="candidate" value="{tick}"' in form.text
    assert 'name="candidate" value=""' not in form.text and f"vendor:{KOJIN_SMALL}" not in form.text
    fields = {"csrf_token": CSRF.search(form.text).group(1), "title": "神奈川", "focus": "金属加工",
              "valid_from": "2026-04-01", "valid_to": "2030-03-31", "candidate": [tick]}  # fmt: skip
    done = kanagawa.post("/plans/submit", data=fields, files={"evidence_file_1": ("e.csv", b"", "text/csv")})
    assert done.status_code == 303, done.text
    plans = PlanStore(tmp_path / "plans.sqlite3")
    [designated] = plans.designations("14-0001", 1)
    assert (designated.corporate_number, designated.vendor_code, designated.legal_form) == ("", KOJIN, "個人")
    assert designated.passed and designated.basis == "candidate"
    with open(plans.revision("14-0001", 1).firms_file, encoding="utf-8", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert (row["corporate_number"], row["vendor_code"]) == ("", KOJIN)
    page = kanagawa.get("/plans/14-0001")
    assert f"企業コード {KOJIN}" in page.text and page.text.count(">可<") == 1
    revise = kanagawa.get("/plans/14-0001/revise")
    assert f'value="{tick}" id="c{tick}" checked' in revise.text
