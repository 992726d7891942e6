"""The rule's register_policy: report (flags only), exclude_closed (a firm the register shows
closed is not a candidate) and register_prefecture (that, and the register's head office where
the vendor's differs, at staging, so every degree follows it).

The tiny sample with the register sample (sample_data/register.py): the closed, merged, moved and
closed-after-the-year firms are made candidates under `report` (large, each with a large sale to
a firm of a prefecture that is none of theirs), and the stages run under each policy in turn
(`Pipeline.run_stages`: the real assets and SQL, without checks or publication); the checks
and a publication run once, in the slow test at the end."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil

import dagster as dg
import duckdb
import pytest

from pipeline.cli import run_config
from pipeline.commands.assess.decision import verdict
from pipeline.commands.explain import render_text
from pipeline.commands.explain_release import explain_release
from pipeline.definitions import resources_from
from pipeline.quality.checks import CheckInputs
from pipeline.quality.policy import QualityPolicy
from pipeline.quality.suites import SuiteContext
from pipeline.registry.rule import SelectionRule
from pipeline.stages.candidates.checks import SQL_CHECKS as CANDIDATE_CHECKS
from pipeline.stages.candidates.checks import rule_violations
from pipeline.stages.register.assets import REGISTER_CHECKS, corporate_register
from pipeline.warehouse.connection import Warehouse, fetch_rows, run_sql
from sample_data.generate import write_sample
from sample_data.register import CASES, write_register_sample
from tests.conftest import YEAR, Pipeline, edit_csv
from tests.independent import firm_key, independent_degrees

CLOSED_CASES = ("closed", "merged", "closed_after_year")  # any close date in the register
MADE_CANDIDATES = (*CLOSED_CASES, "moved")
# Where the register sample puts the moved firm (sample_data/register.py, written out here).
AWAY = {"13": "27"}


def _register_prefecture(home: str) -> str:
    return AWAY.get(home, "13")


def _firms(folder) -> list[dict]:
    with (folder / "firms.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


class RegisterPipeline:
    """The tiny sample and the register sample, the register loaded; `stages(policy)` runs the
    year's stages under a policy and returns what they made."""

    def __init__(self, root):
        self.pipeline = Pipeline(root)
        houjin = root / "houjin"
        write_register_sample(houjin)
        self.pipeline.paths = dataclasses.replace(self.pipeline.paths, houjin_dir=houjin)
        paths = self.pipeline.paths
        write_sample(paths.raw_dir, size="tiny")
        self.folder = paths.raw_dir / YEAR
        firms = _firms(self.folder)
        numbers = [f["corporate_number"] for f in firms if f["corporate_number"]]  # as the register's index
        self.number = {case: numbers[CASES[case]] for case in CASES}
        self.home = {f["corporate_number"]: f["prefecture_code"] for f in firms if f["corporate_number"]}
        chosen = {self.number[c] for c in MADE_CANDIDATES}
        used = {self.home[n] for n in chosen} | {_register_prefecture(self.home[self.number["moved"]])}
        buyer = next(
            f["corporate_number"] for f in firms if f["corporate_number"] and f["prefecture_code"] not in used
        )

        def large(rows):
            for row in rows:
                if row["corporate_number"] in chosen:
                    row.update(sales_jpy="9000000000", employees="500", export_sales_jpy="")
            return rows

        def sales(rows):
            blank = dict.fromkeys(rows[0], "")
            return rows + [
                {
                    **blank,
                    "supplier_corporate_number": n,
                    "customer_corporate_number": buyer,
                    "amount_jpy": "10" * 6,
                }
                for n in sorted(chosen)
            ]

        edit_csv(self.folder / "firms.csv", large)
        edit_csv(self.folder / "transactions.csv", sales)
        loaded = dg.materialize(
            [corporate_register, *REGISTER_CHECKS],
            instance=self.pipeline.instance,
            resources=resources_from(paths),
            run_config=run_config(log_level="WARNING"),
        )
        assert loaded.success

    def stages(self, policy: str) -> dict[str, list[dict]]:
        run = self.pipeline.run_stages(rule={"register_policy": policy})
        assert run.success, run.failure
        with duckdb.connect(str(self.pipeline.paths.duckdb_path), read_only=True) as con:
            tables = {
                table: con.execute(f"select * from {table} where fiscal_year = ?", [int(YEAR)])
                .fetchdf()
                .to_dict("records")
                for table in ("firm_register_matches", "staged_firms")
            }
        return {
            "firm_degrees": run.records("published_firm_degrees"),
            "candidates": run.records("national_candidates"),
            "matches": tables["firm_register_matches"],
            "staged_firms": tables["staged_firms"],
        }


@pytest.fixture(scope="module")
def register_run(tmp_path_factory):
    return RegisterPipeline(tmp_path_factory.mktemp("register_policy"))


@pytest.fixture(scope="module")
def by_policy(register_run):
    return {p: register_run.stages(p) for p in ("report", "exclude_closed", "register_prefecture")}


def _candidates(made: dict) -> set[str]:
    return {firm_key(r["corporate_number"], r["vendor_code"]) for r in made["candidates"]}


def test_report_only_flags(register_run, by_policy):
    made = by_policy["report"]
    expected = independent_degrees(register_run.folder)
    assert _candidates(made) == {n for n, want in expected.items() if want["is_candidate"]}
    for case in MADE_CANDIDATES:
        assert register_run.number[case] in _candidates(made), case
    rows = {r["corporate_number"]: r for r in made["firm_degrees"]}
    assert all(r["meets_register"] for r in made["firm_degrees"])
    # The closures are carried (the register's dates), though under report they exclude nothing.
    assert str(rows[register_run.number["closed"]]["register_close_date"]) == "2025-09-30"
    assert rows[register_run.number["closed"]]["register_close_cause"] == "01"
    assert str(rows[register_run.number["merged"]]["register_close_date"]) == "2026-03-01"
    assert str(rows[register_run.number["closed_after_year"]]["register_close_date"]) == "2026-04-01"
    closed_rows = {n for n, r in rows.items() if r["register_close_date"] is not None}
    assert closed_rows == {register_run.number[c] for c in CLOSED_CASES}


def test_exclude_closed_drops_every_firm_the_register_shows_closed(register_run, by_policy):
    report, strict = by_policy["report"], by_policy["exclude_closed"]
    closed = {register_run.number[c] for c in CLOSED_CASES}
    # Closed after the fiscal year's end counts too: the register is as of its date.
    assert _candidates(strict) == _candidates(report) - closed
    rows = {r["corporate_number"]: r for r in strict["firm_degrees"]}
    assert {n for n, r in rows.items() if not r["meets_register"]} == closed
    for number in closed:
        assert rows[number]["is_candidate"] is False
        # Its degrees are as under report: the policy changes the selection, not the flows.
        before = next(r for r in report["firm_degrees"] if r["corporate_number"] == number)
        assert rows[number]["connector_degree"] == before["connector_degree"]
    # Everything else is as under report: the same firms, degrees and outcomes.
    others = lambda made: {  # noqa: E731
        firm_key(r["corporate_number"], r["vendor_code"]): (
            r["prefecture_code"],
            r["connector_degree"],
            r["is_candidate"],
        )
        for r in made["firm_degrees"]
        if r["corporate_number"] not in closed
    }
    assert others(strict) == others(report)


def test_register_prefecture_moves_the_head_office_and_the_degrees_follow(register_run, by_policy):
    made = by_policy["register_prefecture"]
    moved = register_run.number["moved"]
    home = register_run.home[moved]
    away = _register_prefecture(home)
    # Independently: the CSVs with the moved firm in the register's prefecture (moved_back is
    # back home after both 差分 files: not moved).
    expected = independent_degrees(register_run.folder, head_offices={moved: away})
    rows = {firm_key(r["corporate_number"], r["vendor_code"]): r for r in made["firm_degrees"]}
    assert rows.keys() == expected.keys()
    for key, want in expected.items():
        got = rows[key]
        for degree in ("connector_degree", "hub_degree"):
            if want[degree] is None:
                assert got[degree] is None, (key, degree)
            else:
                assert got[degree] == pytest.approx(want[degree], rel=1e-12), (key, degree)
    assert rows[moved]["prefecture_code"] == away
    closed = {register_run.number[c] for c in CLOSED_CASES}
    assert _candidates(made) == {n for n, want in expected.items() if want["is_candidate"]} - closed
    assert moved in _candidates(made)
    # Recorded per firm: staging keeps the file's prefecture beside the one used.
    staged = {r["firm_id"]: r for r in made["staged_firms"]}
    assert {k for k, r in staged.items() if r["prefecture_source"] == "register"} == {moved}
    assert staged[moved]["vendor_prefecture_code"] == home
    assert staged[moved]["prefecture_code"] == away
    matches = {r["corporate_number"]: r for r in made["matches"]}
    assert matches[moved]["vendor_prefecture_code"] == home
    assert matches[moved]["used_prefecture_code"] == away
    assert matches[moved]["prefecture_differs"]
    assert sum(r["used_prefecture_code"] != r["vendor_prefecture_code"] for r in matches.values()) == 1


def test_under_report_the_prefectures_are_the_files(by_policy):
    staged = by_policy["report"]["staged_firms"]
    assert {r["prefecture_source"] for r in staged} == {"vendor"}
    assert all(r["prefecture_code"] == r["vendor_prefecture_code"] for r in staged)


def _offending(database, check_name: str) -> list[dict]:
    """A gate's offending rows, with the parameters the pipeline gives it."""
    checks = {c.name: c for c in CANDIDATE_CHECKS}
    with Warehouse(path=str(database)).connect() as con:
        rule = json.loads(fetch_rows(con, "selection_rule", fiscal_year=int(YEAR))[0][0])
        inputs = CheckInputs(int(YEAR), rule, QualityPolicy(), database.parent, {})
        params = checks[check_name].params(inputs)
        cursor = run_sql(con, f"checks/{check_name}", fiscal_year=int(YEAR), **params)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _suite_violations(database) -> list[tuple]:
    """The rows candidate_selection's GX suite finds against the rule (its query, run here)."""
    with Warehouse(path=str(database)).connect() as con:
        rule = json.loads(fetch_rows(con, "selection_rule", fiscal_year=int(YEAR))[0][0])
        query = rule_violations(SuiteContext(int(YEAR), rule, str(database.parent)))
        batch = f"(select * from candidate_selection where fiscal_year = {int(YEAR)})"
        return con.execute(query.replace("{batch}", batch)).fetchall()


def test_the_gate_and_the_suite_catch_a_closed_firm_listed_under_exclude_closed(
    register_run, by_policy, tmp_path
):
    closed = register_run.number["closed"]
    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(register_run.pipeline.paths.duckdb_path, database)  # last run: register_prefecture
    assert _offending(database, "candidates_meet_rule") == []
    assert _suite_violations(database) == []
    with Warehouse(path=str(database)).connect() as con:
        con.execute(
            "update candidate_selection set is_candidate = true, meets_register = true "
            "where corporate_number = ?",
            [closed],
        )
    assert [r["firm_id"] for r in _offending(database, "candidates_meet_rule")] == [closed]
    assert len(_suite_violations(database)) == 1


@pytest.mark.parametrize(
    ("policy", "step"), [("exclude_closed", "candidate_selection"), ("register_prefecture", "stage_firms")]
)
def test_a_stricter_policy_without_a_register_is_refused(tmp_path, policy, step):
    pipeline = Pipeline(tmp_path)  # no HOUJIN_DIR
    write_sample(pipeline.paths.raw_dir, size="tiny")
    run = pipeline.run_stages(rule={"register_policy": policy})
    assert not run.success
    assert f"register_policy {policy}" in run.failure
    assert "holds no 国税庁 register" in run.failure and "HOUJIN_DIR" in run.failure
    assert [e.step_key for e in run.result.all_events if e.is_step_failure] == [step]


@pytest.mark.slow
def test_a_whole_run_under_exclude_closed_publishes_and_explains_the_exclusion(register_run, by_policy):
    run = register_run.pipeline.run(rule={"register_policy": "exclude_closed"})
    assert run.success, run.failure
    rule = json.loads((run.published / "rule.json").read_text(encoding="utf-8"))
    assert rule["register_policy"] == "exclude_closed"
    closed = register_run.number["closed"]
    published = {r["corporate_number"] for r in run.parquet("national_candidates")}
    assert closed not in published
    degrees = {r["corporate_number"]: r for r in run.parquet("firm_degrees")}
    assert degrees[closed]["meets_register"] is False
    answer = explain_release(register_run.pipeline.paths, closed)
    part = next(p for p in answer["rule_parts"] if p["test"] == "国税庁 register close date =")
    assert (part["value"], part["threshold"], part["passed"]) == ("2025-09-30", "none", False)
    assert "国税庁 register close date = none: 2025-09-30 → 不合格 FAIL" in render_text(answer)
    # A firm the register does not show closed passes that part.
    other = explain_release(register_run.pipeline.paths, register_run.number["moved"])
    part = next(p for p in other["rule_parts"] if p["test"] == "国税庁 register close date =")
    assert (part["value"], part["passed"]) == ("none", True)


def test_a_firm_that_leaves_because_the_register_shows_it_closed_is_labelled_so(tmp_path):
    """2024 and 2025 hold the same files; 2024 under report, 2025 under exclude_closed."""
    made = RegisterPipeline(tmp_path)
    shutil.copytree(made.folder, made.folder.parent / "2024")
    first = made.pipeline.run_stages(year="2024", rule={"register_policy": "report"})
    assert first.success, first.failure
    run = made.pipeline.run_stages(rule={"register_policy": "exclude_closed"})
    assert run.success, run.failure
    rows = {r["corporate_number"]: r for r in run.records("candidate_changes")}
    assert set(rows) == {made.number[c] for c in CLOSED_CASES}
    assert {(r["change"], r["reason_code"]) for r in rows.values()} == {("left", "fails_register")}
    assert rows[made.number["closed"]]["reason"] == (
        "存続の要件（国税庁の法人番号公表サイトでは 2025-09-30 に閉鎖）を満たさなくなった"
    )


@pytest.mark.parametrize("policy", ["report", "exclude_closed", "register_prefecture"])
def test_assess_decides_with_the_register_test(policy):
    figures = {
        "sales_jpy": 9_000_000_000,
        "employees": 500,
        "size_class": "中堅企業",
        "connector_degree": 0.5,
        "hub_degree": None,
        "register_close_date": "2025-09-30",
    }
    rule = {**SelectionRule().model_dump(), "register_policy": policy}
    decision = verdict(rule, figures)
    assert decision["meets_register"] is (policy == "report")
    assert decision["is_candidate"] is (policy == "report")
    register_tests = [t for t in decision["tests"] if t["test"] == "国税庁 register close date ="]
    assert register_tests == (
        []
        if policy == "report"
        else [
            {
                "test": "国税庁 register close date =",
                "value": "2025-09-30",
                "threshold": "none",
                "passed": False,
            }
        ]
    )
    # Not closed: passes under every policy.
    assert verdict(rule, {**figures, "register_close_date": None})["is_candidate"] is True
