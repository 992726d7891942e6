"""`assess`: a nominated firm's degrees with its evidence (証憑), against a small network computed
by hand, through the real pipeline's publication and warehouse."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.commands.assess import (
    AssessmentError,
    EvidenceError,
    add_parser,
    read_evidence,
    run_assessment,
    verdict,
)
from pipeline.commands.assess.assessment import assess, live_publication
from pipeline.commands.assess.records import AUDIT_LOG
from pipeline.warehouse.connection import Warehouse
from tests.conftest import YEAR, Pipeline, cli, cn, firm, sale, write_csv

FISCAL_YEAR = int(YEAR)
RULE = {"min_connector_degree": 0.3, "min_hub_degree": 0.3}
NOMINEE = "株式会社推薦一"
COLUMNS = (
    "direction",
    "counterparty_corporate_number",
    "counterparty_prefecture_code",
    "amount_jpy",
    "counterparty_name",
)


def evidence(direction: str, counterparty: int | str, prefecture: str, amount, name: str = "") -> dict:
    number = cn(counterparty) if isinstance(counterparty, int) else counterparty
    return {
        "direction": direction,
        "counterparty_corporate_number": number,
        "counterparty_prefecture_code": prefecture,
        "amount_jpy": amount,
        "counterparty_name": name,
    }


def write_evidence(path: Path, rows, encoding: str = "utf-8", columns=COLUMNS) -> Path:
    return write_csv(path, columns, rows, encoding)


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


# Firm 1's evidence (CSV line numbers in the comments). 6 is registered in Osaka (27) and 4 in
# Tokyo (13): their evidence prefectures are wrong, and the register wins. 97, 98, 99 are in no
# firms file.
NOMINATION = [
    evidence("sale", 5, "27", 900),  # line 2: the vendor had ¥100
    evidence("sale", 6, "13", 600),  # line 3: register says 27, so out of Tokyo
    evidence("sale", 2, "13", 700),  # line 4: the vendor had ¥200
    evidence("sale", 3, "13", 300),  # line 5: new
    evidence("sale", 98, "13", 150, "非登録商店"),  # line 6: not in the register, inside Tokyo
    evidence("sale", 97, "40", 250),  # line 7: not in the register, in Fukuoka
    evidence("purchase", 2, "13", 400),  # line 8: the vendor had ¥50
    evidence("purchase", 4, "27", 600),  # line 9: register says 13, so inside Tokyo
    evidence("purchase", 99, "13", 200),  # line 10: not in the register, inside Tokyo
]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Tokyo (13): 1 (the nominee, ¥20 export), 2, 3, 4, and 8 (¥500M sales: below the size
    test, no transactions). Osaka (27): 5, 6. Hokkaido (01): 7. Firm 9 (prefecture 99) is
    quarantined. The rule is raised to 0.3 for both degrees, so that five firms can show it.

    Vendor rows: 1→5 ¥100, 2→1 ¥50, 1→2 ¥200, 5→1 ¥80, 2→5 ¥1,000, 3→6 ¥500, 4→7 ¥400,
    3→2 ¥300, 4→3 ¥600, 6→4 ¥700.

    Tokyo on the vendor data:
      out-of-prefecture sales: 1: 100 + 20 export = 120; 2: 1,000; 3: 500; 4: 400; 8: 0 → Σ 2,020
      in-prefecture purchases: 1: 50 (from 2); 2: 200 (from 1) + 300 (from 3) = 500; 3: 600 (from 4);
                               4: 0 (700 from Osaka); 8: 0 → Σ 1,150
      firm 1: connector 120/2,020 = 0.0594 (rank 4 of 5), hub 50/1,150 = 0.0435 (rank 3):
      fails both degree tests, so it is not a candidate.
    """
    pipeline = Pipeline(tmp_path_factory.mktemp("assess"))
    pipeline.write(
        [
            firm(1, "13", name=NOMINEE, export_sales_jpy=20),
            firm(2, "13"),
            firm(3, "13"),
            firm(4, "13"),
            firm(5, "27"),
            firm(6, "27"),
            firm(7, "01"),
            firm(8, "13", sales=500_000_000),
            firm(9, "99"),  # quarantined: invalid_prefecture
        ],
        [
            sale(1, 5, 100),
            sale(2, 1, 50),
            sale(1, 2, 200),
            sale(5, 1, 80),
            sale(2, 5, 1000),
            sale(3, 6, 500),
            sale(4, 7, 400),
            sale(3, 2, 300),
            sale(4, 3, 600),
            sale(6, 4, 700),
        ],
    )
    run = pipeline.run(rule=RULE, tolerance=1.0)  # one firm row of nine is quarantined
    assert run.success, run.failure
    return run


@pytest.fixture(scope="module")
def nomination(published, tmp_path_factory):
    """Firm 1 assessed with NOMINATION.

    The adjusted network drops 1→5, 2→1, 1→2 and 5→1 and adds the nine evidence rows.
      out-of-prefecture sales: 1: 900 (to 5) + 600 (to 6, Osaka by the register) + 250 (to 97,
        Fukuoka by the evidence) + 20 export = 1,770 (98 is in Tokyo: not counted);
        2: 1,000; 3: 500; 4: 400; 8: 0 → Σ 3,670
      in-prefecture purchases: 1: 400 (from 2) + 600 (from 4, Tokyo by the register) + 200 (from
        99, Tokyo by the evidence) = 1,200;
        2: 700 (from 1, was 200) + 300 (from 3) = 1,000; 3: 600 (from 4) + 300 (from 1, new) = 900;
        4: 0; 8: 0 → Σ 3,100. (Changing only firm 1's own term would give 1,150 − 50 + 1,200 =
        2,300: firm 1's sales to 2 and 3 add 500 + 300 to Tokyo's hub denominator.)
      firm 1: connector 1,770/3,670 = 0.48229 (rank 1), hub 1,200/3,100 = 0.38710 (rank 1): both
      ≥ 0.3, sales and employees pass, so it meets the rule.
    """
    path = write_evidence(tmp_path_factory.mktemp("evidence") / "nomination.csv", NOMINATION)
    return run_assessment(published.paths, cn(1), FISCAL_YEAR, path)


@pytest.fixture
def assess_command(published, monkeypatch, capsys, tmp_path):
    """`assess` through its argument parser and command(), as the CLI runs it."""
    monkeypatch.setenv("DATA_MARTS_DIR", str(published.paths.marts_dir))
    monkeypatch.setenv("DUCKDB_PATH", str(published.paths.duckdb_path))
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())

    def run(number: str, evidence_file: Path, *extra: str, year: str = YEAR):
        args = parser.parse_args(["assess", number, "--evidence", str(evidence_file), "--year", year, *extra])
        code = args.handler(args)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def audit_folder(run) -> Path:
    return run.paths.marts_dir / "assessments" / YEAR


def recorded(run) -> tuple[int, int, int]:
    """(jsonl lines, DuckDB rows, files) of the audit trail and the assessments folder."""
    folder = audit_folder(run)
    log = folder / AUDIT_LOG
    lines = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
    table = run.query("select count(*) from information_schema.tables where table_name = 'assessments'")
    rows = run.query("select count(*) from assessments")[0][0] if table[0][0] else 0
    files = len([p for p in folder.glob("*") if p.suffix in (".json", ".md")]) if folder.exists() else 0
    return lines, rows, files


def test_vendor_figures_before_the_evidence(nomination):
    before = nomination["before"]
    assert (before["out_of_prefecture_sales_jpy"], before["in_prefecture_purchases_jpy"]) == (120, 50)
    assert before["connector_degree"] == pytest.approx(120 / 2020, abs=1e-15)
    assert before["hub_degree"] == pytest.approx(50 / 1150, abs=1e-15)
    assert (before["connector_rank"], before["hub_rank"]) == (4, 3)
    assert (before["meets_connector"], before["meets_hub"], before["is_candidate"]) == (False, False, False)
    assert before["prefecture_out_of_prefecture_sales_jpy"] == 2020
    assert before["prefecture_in_prefecture_purchases_jpy"] == 1150


def test_degrees_with_the_evidence_by_hand(nomination):
    after = nomination["after"]
    assert (after["out_of_prefecture_sales_jpy"], after["in_prefecture_purchases_jpy"]) == (1770, 1200)
    # Tokyo's denominators: the hub one grows by firm 1's own 1,150 and by 2's and 3's purchases
    # from firm 1 (+500, +300): 3,100, not 2,300.
    assert after["prefecture_out_of_prefecture_sales_jpy"] == 3670
    assert after["prefecture_in_prefecture_purchases_jpy"] == 3100
    assert after["prefecture_firms"] == 5
    assert after["connector_degree"] == pytest.approx(1770 / 3670, abs=1e-15)
    assert after["hub_degree"] == pytest.approx(1200 / 3100, abs=1e-15)
    assert (after["connector_rank"], after["hub_rank"]) == (1, 1)
    assert (after["meets_connector"], after["meets_hub"], after["is_candidate"]) == (True, True, True)
    assert nomination["other_firms_with_changed_in_prefecture_purchases"] == 2  # firms 2 and 3


def test_verdict_meets_the_recorded_rule(nomination):
    decision = nomination["verdict"]
    assert nomination["rule"]["min_connector_degree"] == 0.3  # the rule recorded for the year
    assert decision["selection"] == "thresholds"
    assert [t["test"] for t in decision["tests"]] == [
        "sales_jpy ≥",
        "employees ≥",
        "size_class not in",
        "connector_degree ≥",
        "hub_degree ≥",
    ]
    assert [t["passed"] for t in decision["tests"]] == [True, True, True, True, True]
    assert (decision["meets_thresholds"], decision["is_candidate"]) == (True, True)
    changed = {c["item"]: (c["before"], c["after"]) for c in nomination["comparison"] if c["changed"]}
    assert changed["is_candidate"] == (False, True)
    assert changed["prefecture_in_prefecture_purchases_jpy"] == (1150, 3100)


def test_rows_replaced_and_counterparties_compared(nomination):
    assert nomination["vendor_rows_removed"] == {
        "sale": {"rows": 2, "amount_jpy": 300},  # 1→5 ¥100, 1→2 ¥200
        "purchase": {"rows": 2, "amount_jpy": 130},  # 2→1 ¥50, 5→1 ¥80
    }
    assert nomination["evidence_rows_added"] == {
        "sale": {"rows": 6, "amount_jpy": 2900},
        "purchase": {"rows": 3, "amount_jpy": 1200},
    }
    groups = nomination["counterparties"]

    def keyed(group: str) -> set[tuple]:
        return {
            (c["direction"], c["corporate_number"], c["vendor_amount_jpy"], c["evidence_amount_jpy"])
            for c in groups[group]
        }

    assert keyed("evidence_only") == {
        ("sale", cn(6), None, 600),
        ("sale", cn(3), None, 300),
        ("sale", cn(98), None, 150),
        ("sale", cn(97), None, 250),
        ("purchase", cn(4), None, 600),
        ("purchase", cn(99), None, 200),
    }
    assert keyed("vendor_only") == {("purchase", cn(5), 80, None)}
    assert keyed("amount_changed") == {
        ("sale", cn(5), 100, 900),
        ("sale", cn(2), 200, 700),
        ("purchase", cn(2), 50, 400),
    }
    assert groups["unchanged"] == 0


def test_register_prefecture_wins_and_non_register_counterparties(nomination):
    # Were the evidence's 13 used for firm 6, firm 1's out-of-prefecture sales would be 1,170.
    assert nomination["after"]["out_of_prefecture_sales_jpy"] == 1770
    mismatches = [
        (m["line"], m["corporate_number"], m["evidence_prefecture_code"], m["registered_prefecture_code"])
        for m in nomination["prefecture_mismatches"]
    ]
    assert mismatches == [(3, cn(6), "13", "27"), (9, cn(4), "27", "13")]
    assert len(nomination["warnings"]) == 2
    assert "line 3" in nomination["warnings"][0] and cn(6) in nomination["warnings"][0]
    assert "register" in nomination["warnings"][0]
    outside = [
        (c["line"], c["corporate_number"], c["prefecture_code"]) for c in nomination["not_in_register"]
    ]
    assert outside == [(6, cn(98), "13"), (7, cn(97), "40"), (10, cn(99), "13")]
    assert nomination["not_in_register"][0]["name"] == "非登録商店"


def test_evidence_equal_to_the_vendor_rows_changes_nothing(published, tmp_path):
    same = [
        evidence("sale", 5, "27", 100),
        evidence("sale", 2, "13", 200),
        evidence("purchase", 2, "13", 50),
        evidence("purchase", 5, "27", 80),
    ]
    answer = run_assessment(published.paths, cn(1), FISCAL_YEAR, write_evidence(tmp_path / "same.csv", same))
    assert [c["item"] for c in answer["comparison"] if c["changed"]] == []
    assert answer["counterparties"]["unchanged"] == 4
    assert answer["other_firms_with_changed_in_prefecture_purchases"] == 0


def test_a_nominee_that_still_fails(published, tmp_path):
    """Firm 8 (¥500M sales) with evidence 8→5 ¥3,000 and 3→8 ¥2,000 (UTF-8 with BOM).
    Tokyo: out-of-prefecture 120 + 1,000 + 500 + 400 + 3,000 = 5,020; in-prefecture
    50 + 500 + 600 + 0 + 2,000 = 3,150. Firm 8: connector 3,000/5,020 = 0.598, hub
    2,000/3,150 = 0.635, both rank 1 — but it fails the size test."""
    rows = [evidence("sale", 5, "27", 3000), evidence("purchase", 3, "13", 2000)]
    path = write_evidence(tmp_path / "bom.csv", rows, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    answer = run_assessment(published.paths, cn(8), FISCAL_YEAR, path)
    before, after = answer["before"], answer["after"]
    assert (before["connector_degree"], before["hub_degree"], before["is_candidate"]) == (0.0, 0.0, False)
    assert after["connector_degree"] == pytest.approx(3000 / 5020, abs=1e-15)
    assert after["hub_degree"] == pytest.approx(2000 / 3150, abs=1e-15)
    assert (
        after["prefecture_out_of_prefecture_sales_jpy"],
        after["prefecture_in_prefecture_purchases_jpy"],
    ) == (
        5020,
        3150,
    )
    assert (after["connector_rank"], after["hub_rank"]) == (1, 1)
    decision = answer["verdict"]
    assert [t["passed"] for t in decision["tests"]] == [False, True, True, True, True]
    assert (decision["meets_connector"], decision["meets_hub"]) == (True, True)
    assert (decision["meets_size"], decision["is_candidate"]) == (False, False)
    assert answer["other_firms_with_changed_in_prefecture_purchases"] == 0


def test_cp932_evidence_with_japanese_names(published, tmp_path):
    """販売/仕入, full-width digits and "3,000": firm 8 sells ¥3,000 to 5 (Osaka) and ¥1 to 96 (in
    no firms file, Fukuoka by the evidence), and buys ¥2,000 from 3: out-of-prefecture
    3,000 + 1 = 3,001 of Tokyo's 5,021."""
    rows = [
        evidence("販売", f" {full_width(cn(5))} ", "２７", "3,000", "株式会社大阪機械"),
        evidence("販売", 96, "４０", "１", "株式会社九州ネジ"),
        evidence("仕入", 3, "13", "2,000", "株式会社テスト3"),
    ]
    path = write_evidence(tmp_path / "cp932.csv", rows, encoding="cp932")
    assert "株式会社九州ネジ".encode("cp932") in path.read_bytes()
    answer = run_assessment(published.paths, cn(8), FISCAL_YEAR, path)
    assert answer["evidence"]["encoding"] == "cp932"
    assert answer["after"]["out_of_prefecture_sales_jpy"] == 3001
    assert answer["after"]["prefecture_out_of_prefecture_sales_jpy"] == 5021
    assert answer["after"]["in_prefecture_purchases_jpy"] == 2000
    [outsider] = answer["not_in_register"]
    assert (outsider["corporate_number"], outsider["name"], outsider["prefecture_code"]) == (
        cn(96),
        "株式会社九州ネジ",
        "40",
    )


def test_audit_trail_files_and_a_second_line(published, assess_command, tmp_path):
    path = write_evidence(tmp_path / "nomination.csv", NOMINATION)
    evidence_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path = published.published / "manifest.json"
    manifest_sha256 = hashlib.sha256(manifest_path.read_bytes()).hexdigest()
    run_id = json.loads(manifest_path.read_text(encoding="utf-8"))["dagster_run_id"]
    assert run_id == published.result.run_id
    lines_before, rows_before, _ = recorded(published)

    code, out, err = assess_command(cn(1), path, "--json")
    assert code == 0, err
    assessment = json.loads(out)
    assert assessment["verdict"]["is_candidate"] is True
    log = (audit_folder(published) / AUDIT_LOG).read_text(encoding="utf-8").splitlines()
    assert len(log) == lines_before + 1
    entry = json.loads(log[-1])
    assert entry["corporate_number"] == cn(1)
    assert entry["evidence_sha256"] == evidence_sha256
    assert entry["evidence_path"] == str(path.resolve())
    assert (entry["publication_run_id"], entry["manifest_sha256"]) == (run_id, manifest_sha256)
    assert entry["rule"]["min_hub_degree"] == 0.3
    assert entry["verdict"] == {
        "selection": "thresholds",
        "meets_thresholds": True,
        "was_candidate": False,
        "is_candidate": True,
    }
    assert entry["assessed_by"] and entry["assessed_at"].endswith("Z")

    # The files: outside the release folders, named <法人番号>-<UTC timestamp>.
    json_path, md_path = Path(entry["json_path"]), Path(entry["markdown_path"])
    assert json_path.parent == audit_folder(published)
    # (-2, -3, ... when the firm was assessed earlier within the same second)
    assert re.fullmatch(rf"{cn(1)}-[0-9]{{8}}T[0-9]{{6}}Z(-[0-9]+)?\.json", json_path.name), json_path.name
    assert md_path == json_path.with_suffix(".md")
    assert json.loads(json_path.read_text(encoding="utf-8")) == assessment
    assert NOMINEE in md_path.read_text(encoding="utf-8")

    rows = published.query(
        "select evidence_sha256, publication_run_id, manifest_sha256, is_candidate, json_path "
        "from assessments where json_path = ?",
        [str(json_path)],
    )
    assert rows == [(evidence_sha256, run_id, manifest_sha256, True, str(json_path))]

    code, _, err = assess_command(cn(1), path, "--json")  # again, within the same second or not
    assert code == 0, err
    lines, db_rows, _ = recorded(published)
    assert (lines, db_rows) == (lines_before + 2, rows_before + 2)
    second = json.loads((audit_folder(published) / AUDIT_LOG).read_text(encoding="utf-8").splitlines()[-1])
    assert second["json_path"] != entry["json_path"]
    assert Path(second["json_path"]).is_file() and json_path.is_file()

    # The publication and the vendor figures are untouched.
    assert hashlib.sha256(manifest_path.read_bytes()).hexdigest() == manifest_sha256
    assert published.query(
        "select is_candidate from candidate_selection where corporate_number = ?", [cn(1)]
    ) == [(False,)]


def test_summary_in_japanese(assess_command, tmp_path):
    code, out, err = assess_command(cn(1), write_evidence(tmp_path / "e.csv", NOMINATION))
    assert code == 0, err
    assert f"推薦評価（nomination assessment）: {NOMINEE}" in out
    assert "証憑を反映すると選定ルールを満たします（meets the rule with the evidence）" in out
    assert "ベンダーデータでは候補ではありません" in out
    assert "| 県外販売額（out_of_prefecture_sales_jpy） | ¥120 | ¥1,770 |" in out
    assert "| 県の県内調達額計（hub denominator） | ¥1,150 | ¥3,100 |" in out
    assert f"{1770 / 3670:.6f}" in out and f"{1200 / 3100:.6f}" in out
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and "line 3" in warnings[0] and "line 9" in warnings[1]


BROKEN = [
    evidence("sale", str((int(cn(5)[0]) % 9) + 1) + cn(5)[1:], "27", 100),  # line 2: bad check digit
    evidence("sale", 5, "48", 100),  # line 3: unknown prefecture
    evidence("sale", 6, "27", -500),  # line 4: negative
    evidence("purchase", 2, "13", 0),  # line 5: zero
    evidence("gift", 3, "13", 100),  # line 6: unknown direction
    evidence("sale", 4, "13", 100),  # line 7: fine
    evidence("sale", 4, "13", 200),  # line 8: repeats line 7
    evidence("purchase", 1, "13", 100),  # line 9: the nominee itself
    evidence("sale", "12345", "13", 100),  # line 10: not 13 digits
    evidence("purchase", 3, "13", "12.5"),  # line 11: not an integer
]


def test_broken_evidence_reports_every_problem_and_records_nothing(published, assess_command, tmp_path):
    before = recorded(published)
    code, out, err = assess_command(cn(1), write_evidence(tmp_path / "broken.csv", BROKEN))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    *problems, summary = lines
    assert "9 problem(s)" in summary and "nothing was assessed or recorded" in summary
    expected = {
        2: ("counterparty_corporate_number", f"should be {cn(5)[0]}"),
        3: ("counterparty_prefecture_code", "unknown prefecture"),
        4: ("amount_jpy", "negative amount"),
        5: ("amount_jpy", "zero amount"),
        6: ("direction", "unknown direction"),
        8: ("counterparty_corporate_number", "repeats line 7"),
        9: ("counterparty_corporate_number", "assessed firm itself"),
        10: ("counterparty_corporate_number", "not 13 digits"),
        11: ("amount_jpy", "not an integer"),
    }
    assert len(problems) == len(expected)
    for problem, (line, (column, what)) in zip(problems, sorted(expected.items()), strict=True):
        assert problem.startswith(f"error: broken.csv line {line}, column"), problem
        assert column in problem and what in problem, problem
    assert "'48'" in problems[1] and "'-500'" in problems[2] and "'gift'" in problems[4]
    assert recorded(published) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (
            "\ufeffdirection,counterparty_corporate_number,counterparty_prefecture_code,amount_jpy\r\n".encode(),
            "the file is empty: a header (line 1) but no evidence rows",
        ),
        (
            f"direction,counterparty_corporate_number,amount_jpy\nsale,{cn(5)},100\n".encode(),
            "missing required column counterparty_prefecture_code",
        ),
    ],
)
def test_whole_file_problems(published, assess_command, tmp_path, content, message):
    before = recorded(published)
    path = tmp_path / "evidence.csv"
    path.write_bytes(content)
    code, out, err = assess_command(cn(1), path)
    assert (code, out) == (2, "")
    assert message in err.splitlines()[0]
    assert recorded(published) == before


def test_unquoted_thousands_separator_is_reported_with_its_line(assess_command, tmp_path):
    path = tmp_path / "evidence.csv"
    path.write_text(
        f"direction,counterparty_corporate_number,counterparty_prefecture_code,amount_jpy\n"
        f"sale,{cn(5)},27,1,000\n",
        encoding="utf-8",
    )
    code, _, err = assess_command(cn(1), path)
    assert code == 2
    assert err.splitlines()[0].startswith("error: evidence.csv line 2: 5 values but the header has 4 columns")


EVIDENCE_AMOUNTS = {"1,234,000": 1_234_000, "１，２３４，０００": 1_234_000, "1234000": 1_234_000}
NOT_AMOUNTS = ["522932,50", "1,2,3", "1,5", "1000,"]


def test_evidence_amounts_forgive_only_thousands_separators_in_their_places(tmp_path):
    """The input files' rule: "1,234,000" is an amount; a decimal comma or misplaced separators are
    not, and are reported rather than read as another number."""
    rows = [
        evidence("sale", 10 + i, "27", written) for i, written in enumerate([*EVIDENCE_AMOUNTS, *NOT_AMOUNTS])
    ]
    with pytest.raises(EvidenceError) as refused:
        read_evidence(write_evidence(tmp_path / "e.csv", rows), cn(1))
    lines = [f"line {5 + i}" for i in range(len(NOT_AMOUNTS))]
    assert [p.split(",")[0] for p in refused.value.problems] == [f"e.csv {line}" for line in lines]
    assert all("not an integer number of yen" in p for p in refused.value.problems)
    accepted = read_evidence(write_evidence(tmp_path / "ok.csv", rows[: len(EVIDENCE_AMOUNTS)]), cn(1))
    assert [row.amount_jpy for row in accepted.rows] == list(EVIDENCE_AMOUNTS.values())


@pytest.mark.parametrize(
    ("number", "what"),
    [
        (cn(42), "not in the year's firms file"),
        (cn(9), "quarantined (2025/firms.csv line 10: invalid_prefecture)"),
    ],
)
def test_firm_not_staged(published, assess_command, tmp_path, number, what):
    before = recorded(published)
    code, out, err = assess_command(
        number, write_evidence(tmp_path / "e.csv", [evidence("sale", 5, "27", 100)])
    )
    assert (code, out) == (2, "")
    [line] = err.strip().splitlines()
    assert line.startswith(f"error: 法人番号 {number} is not a staged firm of fiscal year {YEAR}")
    assert what in line
    assert recorded(published) == before


def test_no_publication_or_warehouse(published, assess_command, tmp_path, monkeypatch):
    path = write_evidence(tmp_path / "e.csv", [evidence("sale", 5, "27", 100)])
    code, _, err = assess_command(cn(1), path, year="2024")
    assert code == 2 and "no publication for fiscal year 2024" in err
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    code, _, err = assess_command(cn(1), path)
    assert code == 2 and "no warehouse at" in err


def test_warehouse_ahead_of_the_publication_is_refused(published, tmp_path):
    """A run that changed the warehouse without publishing (here: another rule in the manifest)."""
    path = write_evidence(tmp_path / "e.csv", [evidence("sale", 5, "27", 100)])
    live = live_publication(published.paths.marts_dir, FISCAL_YEAR)
    other = replace(
        live, manifest={**live.manifest, "rule": {**live.manifest["rule"], "min_hub_degree": 0.5}}
    )
    with (
        Warehouse(path=str(published.paths.duckdb_path)).connect() as con,
        pytest.raises(AssessmentError, match="is not the live publication .* its rule differ"),
    ):
        assess(con, cn(1), FISCAL_YEAR, read_evidence(path, cn(1)), other)


def test_invalid_nominee_number(assess_command, tmp_path):
    bad = str((int(cn(1)[0]) % 9) + 1) + cn(1)[1:]
    code, _, err = assess_command(bad, write_evidence(tmp_path / "e.csv", [evidence("sale", 5, "27", 100)]))
    assert code == 2 and "not a valid 法人番号" in err


# --- the verdict alone, on made-up figures ---------------------------------------------------

DEFAULT_RULE = {
    "min_sales_jpy": 1_000_000_000,
    "min_employees": 20,
    "min_connector_degree": 0.001,
    "min_hub_degree": 0.001,
    "excluded_size_classes": ["大企業"],
}
FIGURES = {
    "sales_jpy": 2_000_000_000,
    "employees": 50,
    "size_class": "中小企業者",
    "connector_degree": 0.0005,
    "hub_degree": 0.002,
}


def test_verdict_thresholds():
    decision = verdict(DEFAULT_RULE, FIGURES)
    assert (decision["meets_connector"], decision["meets_hub"], decision["is_candidate"]) == (
        False,
        True,
        True,
    )
    assert verdict(DEFAULT_RULE, {**FIGURES, "size_class": "大企業"})["is_candidate"] is False
    assert (
        verdict(DEFAULT_RULE, {**FIGURES, "hub_degree": None})["is_candidate"] is False
    )  # null passes nothing
    assert verdict(DEFAULT_RULE, {**FIGURES, "employees": 19})["meets_size"] is False


def test_verdict_composite_top_n_needs_the_ranking():
    decision = verdict({**DEFAULT_RULE, "selection": "composite_top_n", "top_n_per_prefecture": 10}, FIGURES)
    assert decision["selection"] == "composite_top_n"
    assert decision["meets_thresholds"] is True
    assert decision["is_candidate"] is None and decision["composite"] is None
    ranked = {**FIGURES, "composite": {"eligible_rank": 11, "composite_score": 51.0}}
    composite_rule = {**DEFAULT_RULE, "selection": "composite_top_n", "top_n_per_prefecture": 10}
    assert verdict(composite_rule, ranked)["is_candidate"] is False
    ranked["composite"]["eligible_rank"] = 10
    assert verdict(composite_rule, ranked)["is_candidate"] is True


def history() -> dict:
    """The same three years for every scored firm, so that only the degrees tell them apart."""
    return {f"operating_profit_jpy_y{i}": 10 for i in range(3)} | {f"employees_y{i}": 100 for i in range(3)}


def test_composite_top_n_is_re_ranked_with_the_evidence(tmp_path):
    """Tokyo: firms 1, 2, 3 with equal histories (T = 50 on the four history indicators), export
    300, 200, 100 and buying 30, 20, 10 from firm 4 (no history, so unscored). Ranks 1, 2, 3 of
    three have SD √(2/3), so T = 50 + 10/√(2/3) = 62.247, 50, 37.753 on both degrees; with the
    default weights, score = 0.7·50 + 0.15·(T_connector + T_hub): firm 1 first, firm 3 last.
    Top 1 per prefecture: only firm 1. Firm 3's evidence: sales of ¥1,000 to Osaka's firm 5 and
    ¥50 bought from firm 4 → out-of-prefecture 1,100 and in-prefecture 50, first on both: its
    score becomes 35 + 0.3·62.247 = 53.674 and it takes firm 1's place."""
    pipeline = Pipeline(tmp_path / "world")
    pipeline.write(
        [
            firm(1, "13", export_sales_jpy=300, **history()),
            firm(2, "13", export_sales_jpy=200, **history()),
            firm(3, "13", export_sales_jpy=100, **history()),
            firm(4, "13"),
            firm(5, "27"),
        ],
        [sale(4, 1, 30), sale(4, 2, 20), sale(4, 3, 10)],
    )
    run = pipeline.run(rule={"selection": "composite_top_n", "top_n_per_prefecture": 1})
    assert run.success, run.failure
    assert {r["corporate_number"] for r in run.parquet("national_candidates")} == {cn(1)}
    path = write_evidence(
        tmp_path / "e.csv", [evidence("sale", 5, "27", 1000), evidence("purchase", 4, "13", 50)]
    )
    assessment = run_assessment(run.paths, cn(3), FISCAL_YEAR, path)
    top_t = 50 + 10 / (2 / 3) ** 0.5
    assert assessment["before"]["composite_rank"] == 3
    assert assessment["before"]["is_candidate"] is False
    decision = assessment["verdict"]
    assert decision["composite"]["composite_score"] == pytest.approx(0.7 * 50 + 0.15 * 2 * top_t)
    assert decision["composite"]["eligible_rank"] == 1
    assert decision["is_candidate"] is True
    assert assessment["after"]["composite_rank"] == 1
    assert assessment["after"]["connector_degree"] == pytest.approx(1100 / (300 + 200 + 1100))


def test_command_line(published, tmp_path):
    """`python -m pipeline assess` in a real subprocess, as a prefecture's nomination is run."""
    path = write_evidence(tmp_path / "nomination.csv", NOMINATION)
    text = cli(published.paths, "assess", cn(1), "--evidence", str(path), "--year", YEAR)
    assert text.returncode == 0, text.stderr
    assert "証憑を反映すると選定ルールを満たします" in text.stdout
    assert [line for line in text.stderr.splitlines() if not line.startswith("warning:")] == []

    as_json = cli(published.paths, "assess", cn(1), "--evidence", str(path), "--year", YEAR, "--json")
    assert as_json.returncode == 0, as_json.stderr
    answer = json.loads(as_json.stdout)
    assert (
        answer["after"]["out_of_prefecture_sales_jpy"],
        answer["after"]["in_prefecture_purchases_jpy"],
    ) == (
        1770,
        1200,
    )
    assert Path(answer["files"]["json"]).is_file()

    broken = cli(
        published.paths,
        "assess",
        cn(1),
        "--evidence",
        str(write_evidence(tmp_path / "b.csv", BROKEN)),
        "--year",
        YEAR,
    )
    assert (broken.returncode, broken.stdout) == (2, "")
    assert len(broken.stderr.strip().splitlines()) == 9 + 1
