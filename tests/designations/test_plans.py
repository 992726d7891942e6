"""Plans on the command line: submission with verification, approval refused and then granted
with --exclude, return, evidence nominations, bad files, the append-only store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pipeline.designations.store import PlanStore
from tests.conftest import cn
from tests.designations.conftest import (
    CANDIDATES,
    EVIDENCE_FAILS,
    EVIDENCE_PASSES,
    OSAKA_FIRM,
    SMALL,
    evidence_file,
    plan_file,
)

PLAN = ("--prefecture", "13", "--title", "東京半導体クラスター計画", "--focus", "半導体・電子部品",
        "--from", "2026-04-01", "--to", "2030-03-31")  # fmt: skip


def candidates_and_one_outsider(folder):
    rows = [{"corporate_number": cn(n), "basis": "candidate"} for n in CANDIDATES]
    rows.append({"corporate_number": cn(SMALL), "basis": "候補リスト", "note": "県の推薦"})
    return plan_file(folder, rows)


def test_a_non_candidate_without_evidence_fails_and_blocks_approval_until_excluded(marts, tmp_path):
    store = tmp_path / "plans.sqlite3"
    done = marts.cli(store, "plans", "submit", *PLAN, "--firms", str(candidates_and_one_outsider(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert "plan 13-0001 revision 1: 4 firms, 1 fail verification" in done.stdout
    shown = json.loads(marts.cli(store, "plans", "show", "13-0001", "--json").stdout)
    verdicts = {f["corporate_number"]: f for f in shown["firms"]}
    assert [verdicts[cn(n)]["passed"] for n in CANDIDATES] == [True, True, True]
    assert verdicts[cn(SMALL)]["passed"] is False
    assert "候補リストにありません" in verdicts[cn(SMALL)]["reason"]
    assert {f["release_id"] for f in shown["firms"]} == {shown["release_id"]}
    assert shown["reference_year"] == 2025 and shown["release_id"].startswith("2025-")
    assert shown["status"] == "submitted"

    refused = marts.cli(store, "plans", "approve", "13-0001", "--revision", "1", "--reason", "要件確認")
    assert refused.returncode == 2
    assert cn(SMALL) in refused.stderr and "--exclude" in refused.stderr
    assert json.loads(marts.cli(store, "plans", "show", "13-0001", "--json").stdout)["status"] == "submitted"

    approved = marts.cli(store, "plans", "approve", "13-0001", "--revision", "1", "--reason", "要件確認",
                         "--exclude", cn(SMALL))  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    shown = json.loads(marts.cli(store, "plans", "show", "13-0001", "--json").stdout)
    assert shown["status"] == "approved" and shown["excluded"] == [cn(SMALL)]
    approval = shown["events"][-1]
    assert approval["reason"] == "要件確認" and approval["by"] and approval["at"].endswith("+00:00")
    again = marts.cli(store, "plans", "return", "13-0001", "--revision", "1", "--reason", "やり直し")
    assert again.returncode == 2 and "approved" in again.stderr
    listed = marts.cli(store, "plans", "list", "--prefecture", "13", "--status", "approved")
    assert "13-0001" in listed.stdout and "4 firms (1 fail)" in listed.stdout


def test_evidence_nominations_are_assessed_one_passes_one_fails(marts, tmp_path):
    store = tmp_path / "plans.sqlite3"
    evidence_file(tmp_path, "pass.csv", [("sale", OSAKA_FIRM, "27", 2_000_000_000)])
    evidence_file(tmp_path, "fail.csv", [("販売", CANDIDATES[0], "13", 1_000_000)])
    firms = plan_file(tmp_path, [
        {"corporate_number": cn(EVIDENCE_PASSES), "basis": "evidence", "evidence_file": "pass.csv"},
        {"corporate_number": cn(EVIDENCE_FAILS), "basis": "証憑", "evidence_file": "fail.csv"},
    ])  # fmt: skip
    done = marts.cli(store, "plans", "submit", *PLAN, "--firms", str(firms))
    assert done.returncode == 0, done.stderr
    shown = json.loads(marts.cli(store, "plans", "show", "13-0001", "--json").stdout)
    passed, failed = shown["firms"]
    assert passed["passed"] is True and failed["passed"] is False
    assert "hub_degree" in failed["reason"] and "connector_degree" in failed["reason"]
    for firm in (passed, failed):
        assessment = json.loads(Path(firm["assessment_file"]).read_text(encoding="utf-8"))
        assert assessment["corporate_number"] == firm["corporate_number"]
        assert assessment["verdict"]["is_candidate"] is firm["passed"]
        assert len(firm["assessment_sha256"]) == 64 and len(firm["evidence_sha256"]) == 64
    assert (marts.paths.marts_dir / "assessments" / "2025" / "assessments.jsonl").is_file()


def test_a_bad_file_reports_every_problem_and_records_nothing(marts, tmp_path):
    store = tmp_path / "plans.sqlite3"
    good = cn(1)
    bad_digit = str((int(good[0]) + 1) % 10) + good[1:]
    evidence_file(tmp_path, "bad_evidence.csv", [("sale", 20, "99", 0)])
    firms = plan_file(tmp_path, [
        {"corporate_number": good, "basis": "candidate"},
        {"corporate_number": bad_digit, "basis": "candidate"},
        {"corporate_number": good, "basis": "candidate"},
        {"corporate_number": cn(2), "basis": "maybe"},
        {"corporate_number": cn(5), "basis": "evidence"},
        {"corporate_number": cn(6), "basis": "evidence", "evidence_file": "bad_evidence.csv"},
    ], encoding="cp932")  # fmt: skip
    done = marts.cli(store, "plans", "submit", *PLAN, "--to", "2020-01-01", "--kpi", "利益=5@2028",
                     "--firms", str(firms))  # fmt: skip
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    expected = [
        "--from 2026-04-01 is after --to 2020-01-01",
        "'利益' is not one of",
        f"line 3, column corporate_number: '{bad_digit}': bad check digit",
        f"line 4: 法人番号 {good} repeats line 2",
        "line 5, column basis: 'maybe'",
        "line 6, column evidence_file: empty",
        "line 7, evidence bad_evidence.csv: bad_evidence.csv line 2, column counterparty_prefecture_code",
        "line 7, evidence bad_evidence.csv: bad_evidence.csv line 2, column amount_jpy",
    ]
    for text in expected:
        assert sum(text in e for e in errors) == 1, (text, errors)
    assert errors[-1] == f"error: {len(expected)} problem(s); nothing was recorded"
    assert len(errors) == len(expected) + 1
    assert PlanStore(store).plans() == []


def test_a_revision_keeps_the_plan_and_its_prefecture(marts, tmp_path):
    store = tmp_path / "plans.sqlite3"
    firms = plan_file(tmp_path, [{"corporate_number": cn(n), "basis": "candidate"} for n in CANDIDATES])
    assert marts.cli(store, "plans", "submit", *PLAN, "--firms", str(firms)).returncode == 0
    revised = marts.cli(store, "plans", "submit", *PLAN, "--plan", "13-0001", "--firms", str(firms))
    assert revised.returncode == 0 and "plan 13-0001 revision 2" in revised.stdout
    osaka = [a if a != "13" else "27" for a in PLAN]
    stolen = marts.cli(store, "plans", "submit", *osaka, "--plan", "13-0001", "--firms", str(firms))
    assert stolen.returncode == 2 and "prefecture 13's plan" in stolen.stderr
    # Tokyo's firms in an Osaka plan: the head office fails, and Tokyo's plan is flagged.
    osaka_plan = marts.cli(store, "plans", "submit", *osaka, "--firms", str(firms))
    assert osaka_plan.returncode == 0
    shown = json.loads(marts.cli(store, "plans", "show", "27-0001", "--json").stdout)
    assert all(not f["passed"] and "本社所在地が 13" in f["reason"] for f in shown["firms"])
    assert all("13-0001" in f["flag"] for f in shown["firms"])


def test_the_store_is_append_only(marts, tmp_path):
    store = tmp_path / "plans.sqlite3"
    firms = plan_file(tmp_path, [{"corporate_number": cn(1), "basis": "candidate"}])
    assert marts.cli(store, "plans", "submit", *PLAN, "--firms", str(firms)).returncode == 0
    with sqlite3.connect(store) as con:
        assert con.execute("pragma journal_mode").fetchone() == ("wal",)
        for statement in (
            "update designations set passed = 1",
            "delete from plan_events",
            "update plan_revisions set title = 'x'",
            "delete from plans",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(statement)
