"""candidate_changes: firms that entered or left the list since the previous fiscal year, and why.

The change lists are read with the publication's own query (candidate_changes.sql) after the
stages ran without checks or publication (`Pipeline.run_stages`); the files and a re-run of the
earlier year come from whole runs (slow)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import Pipeline, cn, firm, sale

BOM = b"\xef\xbb\xbf"

# Tokyo (13) is dominated by firm 1, Osaka (27) by firm 2: each sells ¥1,000,000 to the other, so
# a firm selling ¥10,000 to the other prefecture has connector degree ≈ 0.0097 (passes 0.001) and
# one selling ¥500 has ≈ 0.0005 (fails). Nobody buys inside its prefecture: hub degrees are null.
DOMINANT = [sale(1, 2, 1_000_000), sale(2, 1, 1_000_000)]

FIRMS_2024 = [
    firm(1, "13"),
    firm(2, "27"),
    firm(11, "13", sales=999_999_999),  # ¥1 short of the size test: not a candidate in 2024
    firm(13, "13"),
    firm(14, "27"),
    firm(15, "27"),
    firm(16, "13"),
]
# Tokyo: 10,000 / 1,030,000 ≈ 0.0097 for 11, 13 and 16; Osaka: 10,000 / 1,020,000 for 14 and 15.
SALES_2024 = DOMINANT + [sale(n, 2, 10_000) for n in (11, 13, 16)] + [sale(n, 1, 10_000) for n in (14, 15)]

FIRMS_2025 = [
    firm(1, "13"),
    firm(2, "27"),
    firm(11, "13", sales=1_000_000_000),  # now exactly at the size threshold
    firm(12, "27"),  # new this year
    firm(13, "13"),
    firm(15, "99"),  # quarantined: invalid_prefecture; 14 is gone
    firm(16, "13"),
]
# Tokyo denominator 1,000,000 + 10,000 + 500 + 10,000 = 1,020,500: 13 has 500 / 1,020,500 ≈ 0.000490.
SALES_2025 = DOMINANT + [sale(11, 2, 10_000), sale(13, 2, 500), sale(16, 2, 10_000), sale(12, 1, 10_000)]

EXPECTED = {
    (cn(11), "entered", "now_meets_size"),
    (cn(12), "entered", "absent_last_year"),
    (cn(13), "left", "fails_degree"),
    (cn(14), "left", "absent_this_year"),
    (cn(15), "left", "quarantined_this_year"),
}  # 1, 2 and 16 are candidates both years: not listed


def _csv_rows(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.startswith(BOM), path
    return list(csv.DictReader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def _keys(rows) -> list[tuple]:
    return sorted((r["corporate_number"], r["change"], r["reason_code"]) for r in rows)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def staged_two_years(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("staged_changes"))
    pipeline.write(FIRMS_2024, SALES_2024, year="2024")
    pipeline.write(FIRMS_2025, SALES_2025, year="2025")
    first = pipeline.run_stages(year="2024")
    assert first.success, first.failure
    changes_2024 = first.records("candidate_changes")  # read now: before 2025 is in the warehouse
    run = pipeline.run_stages(year="2025", tolerance=1.0)
    assert run.success, run.failure
    return run, changes_2024


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("changes"))
    pipeline.write(FIRMS_2024, SALES_2024, year="2024")
    pipeline.write(FIRMS_2025, SALES_2025, year="2025")
    first = pipeline.run(year="2024")
    assert first.success, first.failure
    changes_2024 = first.parquet("candidate_changes")  # read now: before 2025 is in the warehouse
    run = pipeline.run(year="2025", tolerance=1.0)  # 1 of 7 firm rows quarantined: above 1%
    assert run.success, run.failure
    return pipeline, run, changes_2024


def test_first_year_has_no_changes(staged_two_years):
    _, changes_2024 = staged_two_years
    assert changes_2024 == []


@pytest.mark.slow
def test_first_year_publishes_no_changes(two_years):
    _, run, changes_2024 = two_years
    assert changes_2024 == []
    assert _csv_rows(run.paths.marts_dir / "2024" / "candidate_changes.csv") == []


def test_changes_with_reasons(staged_two_years):
    run, _ = staged_two_years
    rows = run.records("candidate_changes")
    assert len(rows) == len(EXPECTED)
    assert set(_keys(rows)) == EXPECTED
    assert {r["fiscal_year"] for r in rows} == {2025}
    by_number = {r["corporate_number"]: r for r in rows}
    # A quarantined firm keeps last year's prefecture; the reason names the quarantine reason.
    assert by_number[cn(15)]["prefecture_code"] == "27"
    assert by_number[cn(15)]["reason"] == "今年度は検疫（invalid_prefecture）"
    assert "invalid_prefecture" in by_number[cn(15)]["reason"]
    assert by_number[cn(13)]["reason"] == "度数要件を満たさなくなった（コネクター度 0.000490、ハブ度 —）"


@pytest.mark.slow
def test_csv_files(two_years):
    _, run, _ = two_years
    rows = _csv_rows(run.published / "candidate_changes.csv")
    assert _keys(rows) == sorted(EXPECTED)
    by_prefecture = {
        code: _csv_rows(run.published / "changes" / f"{code}.csv") for code in ("13", "27", "01")
    }
    assert _keys(by_prefecture["13"]) == sorted(k for k in EXPECTED if k[0] in (cn(11), cn(13)))
    assert _keys(by_prefecture["27"]) == sorted(k for k in EXPECTED if k[0] in (cn(12), cn(14), cn(15)))
    assert by_prefecture["01"] == []
    assert {r["prefecture_code"] for r in by_prefecture["13"]} == {"13"}
    assert {r["prefecture_code"] for r in by_prefecture["27"]} == {"27"}


@pytest.mark.slow
def test_rerunning_the_earlier_year_leaves_the_later_publication_alone(two_years):
    pipeline, run, _ = two_years
    before = _snapshot(run.published)
    assert "candidate_changes.parquet" in before
    again = pipeline.run(year="2024")
    assert again.success, again.failure
    assert _snapshot(run.published) == before


# A 大企業 (manufacturing, capital ¥10bn and 3,000 employees) selling ¥10,000 out of Tokyo:
# a candidate under the default rule. The next year's rule excludes 大企業, and the year after
# picks the composite top N, which no firm without the multi-year columns can reach.
LARGE = firm(21, "13", employees=3_000, capital_jpy=10_000_000_000)
RULE_CHANGE_FIRMS = [firm(1, "13"), firm(2, "27"), LARGE]
RULE_CHANGE_SALES = DOMINANT + [sale(21, 2, 10_000)]


@pytest.fixture(scope="module")
def rule_changes(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("rule_changes"))
    for year in ("2024", "2025", "2026"):
        pipeline.write(RULE_CHANGE_FIRMS, RULE_CHANGE_SALES, year=year)
    runs = {
        "2024": pipeline.run_stages(year="2024"),
        "2025": pipeline.run_stages(year="2025", rule={"excluded_size_classes": ["大企業"]}),
        "2026": pipeline.run_stages(
            year="2026", rule={"selection": "composite_top_n", "top_n_per_prefecture": 1}
        ),
    }
    assert all(run.success for run in runs.values()), {y: r.failure for y, r in runs.items()}
    return runs


def test_a_firm_that_leaves_for_its_size_class_is_labelled_so(rule_changes):
    rows = rule_changes["2025"].records("candidate_changes")
    assert [(r["corporate_number"], r["change"], r["reason_code"]) for r in rows] == [
        (cn(21), "left", "fails_size_class")
    ]
    assert rows[0]["reason"] == "規模区分の要件（大企業 は除外）を満たさなくなった"


def test_firms_that_leave_for_the_composite_test_are_labelled_so(rule_changes):
    # 2025's candidates (1 and 2; 21 was excluded) all fail the composite test in 2026: no scores.
    rows = rule_changes["2026"].records("candidate_changes")
    assert sorted((r["corporate_number"], r["change"], r["reason_code"]) for r in rows) == sorted(
        [(cn(1), "left", "fails_composite"), (cn(2), "left", "fails_composite")]
    )
    assert {r["reason"] for r in rows} == {"総合評価の上位N（県内 — 位）を満たさなくなった"}
