"""The 一覧 cycle on the command line: plan → approval → v1 on 2026-04-01 → a revision drops a
firm → v2 on 2026-10-01; as-of lookups, diff, the files of a version and their manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat

import duckdb
from openpyxl import load_workbook

from tests.conftest import cn
from tests.designations.conftest import CANDIDATES, DROPPED, SMALL, Cycle, linked_marts, ok


def lookup(cycle: Cycle, number: str, as_of: str) -> dict:
    return json.loads(ok(cycle.cli("ichiran", "lookup", number, "--as-of", as_of, "--json")).stdout)


def test_a_dropped_firm_is_listed_before_v2_and_not_after_with_its_plan_named(cycle):
    june = lookup(cycle, cn(DROPPED), "2026-06-30")
    assert june["listed"] is True
    assert [p["plan_id"] for p in june["plans"]] == ["13-0001"]
    assert june["plans"][0]["prefecture_code"] == "13" and june["plans"][0]["listed_from"] == "2026-04-01"
    assert june["version_in_force"] == {"ichiran_version": 1, "effective_date": "2026-04-01"}
    october = lookup(cycle, cn(DROPPED), "2026-10-02")
    assert october["listed"] is False and october["plans"] == []
    assert october["version_in_force"]["ichiran_version"] == 2
    [past] = october["history"]
    assert past["plan_id"] == "13-0001" and (past["listed_from"], past["listed_until"]) == (
        "2026-04-01",
        "2026-09-30",
    )
    text = ok(cycle.cli("ichiran", "lookup", cn(DROPPED), "--as-of", "2026-10-02")).stdout
    assert "掲載されていません" in text and "13-0001" in text and "2026-09-30" in text


def test_a_kept_firm_is_listed_since_v1_and_nothing_before_it(cycle):
    kept = lookup(cycle, cn(CANDIDATES[0]), "2026-10-02")
    assert kept["listed"] and kept["plans"][0]["listed_from"] == "2026-04-01"
    assert kept["plans"][0]["listed_until"] == "2030-03-31"
    assert lookup(cycle, cn(CANDIDATES[0]), "2026-03-31")["listed"] is False
    assert lookup(cycle, cn(CANDIDATES[0]), "2026-03-31")["version_in_force"] is None
    excluded = lookup(cycle, cn(SMALL), "2026-06-30")
    assert excluded["listed"] is False and excluded["history"] == []


def test_an_invalid_number_gets_the_check_digit_message(cycle):
    number = cn(1)
    wrong = str((int(number[0]) + 1) % 10) + number[1:]
    refused = cycle.cli("ichiran", "lookup", wrong)
    assert refused.returncode == 2
    assert f"should be {number[0]}" in refused.stderr and refused.stdout == ""


def test_diff_lists_the_dropped_firm_with_its_plan(cycle):
    changes = json.loads(ok(cycle.cli("ichiran", "diff", "1", "v0002", "--json")).stdout)
    assert [(c["change"], c["corporate_number"], c["plan_id"]) for c in changes] == [
        ("removed", cn(DROPPED), "13-0001")
    ]
    assert "0 added, 1 removed" in ok(cycle.cli("ichiran", "diff", "1", "2")).stdout


def test_each_version_is_read_only_and_its_manifest_names_inputs_and_outputs(cycle):
    v1, v2 = cycle.ichiran / "v0001", cycle.ichiran / "v0002"
    for folder in (v1, v2):
        for path in folder.rglob("*"):
            if path.is_file():
                assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), path
    manifest = json.loads((v2 / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ichiran_version"] == 2 and manifest["previous_version"] == 1
    assert manifest["counts_by_prefecture"] == {"13": 2}
    assert [r["corporate_number"] for r in manifest["removed"]] == [cn(DROPPED)] and manifest["added"] == []
    [plan] = manifest["inputs"]["plans"]
    assert (plan["plan_id"], plan["revision"], plan["approval_reason"]) == ("13-0001", 2, "半期見直し")
    [release] = manifest["inputs"]["releases"]
    live = cycle.world.paths.marts_dir / "2025" / "manifest.json"
    assert release["manifest_sha256"] == hashlib.sha256(live.read_bytes()).hexdigest()
    outputs = {o["file"]: o["sha256"] for o in manifest["outputs"]}
    assert {"ichiran.parquet", "ichiran.csv", "ichiran.xlsx"} <= outputs.keys()
    for name, digest in outputs.items():
        assert hashlib.sha256((v2 / name).read_bytes()).hexdigest() == digest
    v1_manifest = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    assert v1_manifest["inputs"]["plans"][0]["excluded"] == [cn(SMALL)]
    assert sorted(r["corporate_number"] for r in v1_manifest["added"]) == sorted(cn(n) for n in CANDIDATES)


def test_the_files_are_for_people_in_japan(cycle):
    v1 = cycle.ichiran / "v0001"
    raw = (v1 / "ichiran.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "'=半導体・電子部品" in text  # formula-safe
    assert text.splitlines()[0].startswith(
        "ichiran_version,effective_date,corporate_number,name,prefecture_code"
    )
    sheet = load_workbook(v1 / "ichiran.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["版", "適用日", "法人番号", "商号", "都道府県コード", "都道府県名"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    numbers = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert numbers == sorted(cn(n) for n in CANDIDATES) and all(isinstance(n, str) for n in numbers)
    assert {row[4].value for row in sheet.iter_rows(min_row=2)} == {"13"}
    with duckdb.connect() as con:
        rows = con.execute(
            "select corporate_number, prefecture_name, plan_id, basis, designated_from, designated_until "
            "from read_parquet(?) order by corporate_number", [str(v1 / "ichiran.parquet")]
        ).fetchall()  # fmt: skip
    assert [r[0] for r in rows] == sorted(cn(n) for n in CANDIDATES)
    assert {r[1:4] for r in rows} == {("東京都", "13-0001", "candidate")}
    assert {(str(r[4]), str(r[5])) for r in rows} == {("2026-04-01", "2030-03-31")}


def test_the_same_plans_give_byte_identical_files(cycle, tmp_path):
    again = linked_marts(cycle.world, tmp_path)
    store = tmp_path / "plans.sqlite3"
    shutil.copy(cycle.store_before_v1, store)
    ok(again.cli(store, "ichiran", "publish", "--effective", "2026-04-01"))
    for name in ("ichiran.parquet", "ichiran.csv", "ichiran.xlsx"):
        mine = (again.paths.marts_dir / "ichiran" / "v0001" / name).read_bytes()
        assert mine == (cycle.ichiran / "v0001" / name).read_bytes(), name


def test_a_version_must_take_effect_after_the_last(cycle):
    refused = cycle.cli("ichiran", "publish", "--effective", "2026-10-01")
    assert refused.returncode == 2 and "must take effect later" in refused.stderr
    assert not (cycle.ichiran / "v0003").exists()


def test_a_bulk_lookup_of_100000_numbers_returns_every_row_in_order(cycle, tmp_path):
    import csv

    from pipeline.reference.corporate_number import with_check_digit

    numbers = [with_check_digit(f"{900_000_000 + i:012d}") for i in range(100_000)]
    numbers[10] = cn(DROPPED)  # listed on 2026-06-30
    numbers[20] = cn(CANDIDATES[0])
    numbers[30] = "".join(chr(ord(d) + 0xFEE0) for d in cn(CANDIDATES[1]))  # full-width digits
    right = numbers[40][0]
    numbers[40] = str((int(right) + 1) % 10) + numbers[40][1:]  # bad check digit
    numbers[50] = "12345"
    source = tmp_path / "numbers.csv"
    with source.open("w", encoding="cp932", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["申請番号", "法人番号", "申請者"])
        writer.writerows(
            [f"R8-{i:06d}", n, "=危険な名前" if i == 60 else f"申請者{i}"] for i, n in enumerate(numbers)
        )
    out = tmp_path / "result.csv"
    # Speed is the benchmark's business (the README gives the measured figure), not a test's.
    done = ok(
        cycle.cli("ichiran", "lookup", "--file", str(source), "--out", str(out), "--as-of", "2026-06-30")
    )
    assert "100000 rows on 2026-06-30: 3 listed, 99995 not listed, 2 invalid" in done.stdout
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 100_000
    assert [r["申請番号"] for r in rows] == [f"R8-{i:06d}" for i in range(100_000)]
    assert rows[10]["status"] == "listed" and rows[10]["plan_ids"] == "13-0001"
    assert rows[10]["prefecture_codes"] == "13" and rows[10]["listed_since"] == "2026-04-01"
    assert rows[30]["status"] == "listed" and rows[30]["normalised_corporate_number"] == cn(CANDIDATES[1])
    assert rows[40]["status"] == "invalid"
    assert rows[40]["problem"] == f"bad check digit: the check digit (the first digit) should be {right}"
    assert rows[50]["status"] == "invalid" and rows[50]["problem"] == "not 13 digits (5 digits)"
    assert rows[60]["申請者"] == "'=危険な名前"
    assert rows[0]["status"] == "not_listed" and rows[0]["problem"] == ""
