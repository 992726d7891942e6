"""The policy indicators, block degrees, KPI baselines and charts, against values computed by hand.

The values are read with the publication's own queries after the stages ran without checks or
publication (`Pipeline.run_stages`); the block files, the charts and the rule's file come from
whole runs (slow)."""

from __future__ import annotations

import csv
import json

import pytest

from pipeline.reference.prefectures import PREFECTURES
from pipeline.stages.publication.drawing import is_png
from tests.conftest import Pipeline, cli, cn, firm, paths_under, sale

EVERY_FIRM = {"min_sales_jpy": 0, "min_employees": 0, "min_connector_degree": 0, "min_hub_degree": 0}
FIRMS = [
    firm(1, "18", sales=1_500, export_sales_jpy=100, jsic_major="09", capital_jpy=10),  # Fukui
    firm(2, "18"),  # Fukui
    firm(3, "17"),  # Ishikawa (北陸)
    firm(4, "27", employees=400, jsic_major="10"),  # Osaka (近畿); no capital, so its size class is unknown
    firm(5, "13"),  # Tokyo (関東)
]
SALES_2025 = [
    sale(1, 2, 300),
    sale(1, 3, 200),
    sale(1, 4, 500),
    sale(2, 1, 50),
    sale(3, 1, 70),
    sale(4, 1, 80),
    sale(5, 1, 100),
    sale(2, 5, 40),
]
SALES_2024 = [sale(1, 2, 100), sale(1, 4, 400), sale(5, 1, 10)]


def _two_years(pipeline: Pipeline) -> None:
    pipeline.write(FIRMS, SALES_2024, year="2024")
    assert (run := pipeline.run_stages(year="2024", rule=EVERY_FIRM)).success, run.failure
    pipeline.write(FIRMS, SALES_2025)


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """2024 and 2025 through every stage but the publication."""
    pipeline = Pipeline(tmp_path_factory.mktemp("indicators"))
    _two_years(pipeline)
    run = pipeline.run_stages(rule=EVERY_FIRM)
    assert run.success, run.failure
    return run


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """2025 published by a whole run, over 2024's stages."""
    pipeline = Pipeline(tmp_path_factory.mktemp("indicators_published"))
    _two_years(pipeline)
    run = pipeline.run(rule=EVERY_FIRM)
    assert run.success, run.failure
    return run


def _firms(run) -> dict[str, dict]:
    return {row["corporate_number"]: row for row in run.records("published_firm_degrees")}


def test_requirement_indicators_match_hand_computation(staged):
    firms = _firms(staged)
    one, two, four = firms[cn(1)], firms[cn(2)], firms[cn(4)]
    # Firm 1 buys 50 from Fukui and 70 + 80 + 100 from elsewhere; sells 300 / 200 / 500.
    assert one["in_prefecture_procurement_share"] == pytest.approx(50 / 300, abs=1e-12)
    assert one["top_customer_share"] == pytest.approx(500 / (1_500 - 100), abs=1e-12)
    assert one["customer_hhi"] == pytest.approx(0.3**2 + 0.2**2 + 0.5**2, abs=1e-12)
    counts = ("in_prefecture_customers", "out_of_prefecture_customers")
    counts += ("in_prefecture_suppliers", "out_of_prefecture_suppliers")
    assert [one[c] for c in counts] == [1, 2, 1, 3]
    assert two["customer_hhi"] == pytest.approx((50 / 90) ** 2 + (40 / 90) ** 2, abs=1e-12)
    assert two["in_prefecture_procurement_share"] == 1.0
    assert two["top_customer_share"] == pytest.approx(50 / 5_000_000_000, abs=1e-15)
    assert four["in_prefecture_procurement_share"] == 0.0
    assert [four[c] for c in counts] == [0, 1, 0, 1]


def test_size_class_is_published_with_its_reason(staged):
    firms = _firms(staged)
    assert (firms[cn(1)]["size_class"], firms[cn(1)]["size_class_reason"]) == ("中小企業者", None)
    assert firms[cn(4)]["size_class"] == "unknown"
    assert "capital_jpy がなく" in firms[cn(4)]["size_class_reason"]
    assert "従業員数 400 人" in firms[cn(4)]["size_class_reason"]


def _blocks(run) -> dict[tuple[str, str], dict]:
    return {(r["block_code"], r["corporate_number"]): r for r in run.records("block_candidates")}


def test_block_degrees_match_hand_computation(staged):
    blocks = _blocks(staged)
    # 北陸 (16, 17, 18): out-of-block sales 600 (500 to Osaka + 100 exports), 40, 0 of 640;
    # in-block purchases 120, 300, 200 of 620.
    hokuriku = {n: blocks[("hokuriku", cn(n))] for n in (1, 2, 3)}
    assert [hokuriku[n]["out_of_block_sales_jpy"] for n in (1, 2, 3)] == [600, 40, 0]
    assert [hokuriku[n]["in_block_purchases_jpy"] for n in (1, 2, 3)] == [120, 300, 200]
    assert hokuriku[1]["block_connector_degree"] == pytest.approx(600 / 640, abs=1e-12)
    assert hokuriku[2]["block_hub_degree"] == pytest.approx(300 / 620, abs=1e-12)
    # 近畿 (18, 25–30): out 300 (200 to Ishikawa + 100 exports), 40, 0 of 340; in 130, 300, 500 of 930.
    kinki = {n: blocks[("kinki", cn(n))] for n in (1, 2, 4)}
    assert [kinki[n]["out_of_block_sales_jpy"] for n in (1, 2, 4)] == [300, 40, 0]
    assert [kinki[n]["in_block_purchases_jpy"] for n in (1, 2, 4)] == [130, 300, 500]
    assert kinki[4]["block_hub_degree"] == pytest.approx(500 / 930, abs=1e-12)
    assert [kinki[n]["block_hub_rank"] for n in (1, 2, 4)] == [3, 2, 1]
    # 関東: Tokyo's one firm sells 100 out of the block and buys nothing inside it.
    kanto = blocks[("kanto", cn(5))]
    assert (kanto["block_connector_degree"], kanto["block_hub_degree"]) == (1.0, None)


@pytest.mark.slow
def test_fukui_appears_in_both_block_lists(published):
    for block in ("hokuriku", "kinki"):
        with (published.published / "blocks" / f"{block}.csv").open(encoding="utf-8-sig") as f:
            numbers = {row["corporate_number"] for row in csv.DictReader(f)}
        assert {cn(1), cn(2)} <= numbers, block
    assert (published.published / "blocks" / "okinawa.csv").exists()


def test_kpis_equal_sums_recomputed_here(staged):
    prefecture = {int(f["corporate_number"][1:]): f["prefecture_code"] for f in FIRMS}

    def sums(sales):
        inside, outside = {}, {}
        for s in sales:
            a = prefecture[int(s["supplier_corporate_number"][1:])]
            b = prefecture[int(s["customer_corporate_number"][1:])]
            target = inside if a == b else outside
            target[a] = target.get(a, 0) + s["amount_jpy"]
        return inside, outside

    inside, outside = sums(SALES_2025)
    inside_before, outside_before = sums(SALES_2024)
    degrees = staged.records("published_firm_degrees")
    kpis = {row["prefecture_code"]: row for row in staged.records("published_prefecture_kpis")}
    assert len(kpis) == len(PREFECTURES)
    for code, row in kpis.items():
        assert row["in_prefecture_transactions_jpy"] == inside.get(code, 0), code
        assert row["out_of_prefecture_firm_sales_jpy"] == outside.get(code, 0), code
        assert row["export_sales_jpy"] == (100 if code == "18" else 0), code
        candidates = [d for d in degrees if d["prefecture_code"] == code and d["is_candidate"]]
        assert row["candidates"] == len(candidates), code
        assert row["candidate_sales_jpy"] == sum(d["sales_jpy"] for d in candidates), code
        assert row["candidate_employees"] == sum(d["employees"] for d in candidates), code
        assert row["previous_fiscal_year"] == 2024
        change = inside.get(code, 0) - inside_before.get(code, 0)
        assert row["in_prefecture_transactions_jpy_change"] == change, code
        change = outside.get(code, 0) - outside_before.get(code, 0)
        assert row["out_of_prefecture_firm_sales_jpy_change"] == change, code


@pytest.mark.slow
def test_every_prefecture_has_a_chart(published):
    charts = [published.published / "prefectures" / f"{p.code}.png" for p in PREFECTURES]
    assert all(is_png(chart) for chart in charts)
    assert charts[17].stat().st_size > 10_000  # Fukui's chart holds points, not just axes


@pytest.mark.slow
def test_the_rule_can_exclude_size_classes(pipeline):
    pipeline.write(FIRMS, SALES_2025)
    run = pipeline.run(rule={**EVERY_FIRM, "excluded_size_classes": ["中小企業者"]})
    assert run.success, run.failure
    firms = {row["corporate_number"]: row for row in run.parquet("firm_degrees")}
    excluded = {n for n, row in firms.items() if row["size_class"] == "中小企業者"}
    assert cn(1) in excluded
    assert {n for n, row in firms.items() if row["is_candidate"]} == set(firms) - excluded
    rule = json.loads((run.published / "rule.json").read_text(encoding="utf-8"))
    assert rule["excluded_size_classes"] == ["中小企業者"]


def test_an_unknown_size_class_is_refused_by_the_command_line(tmp_path):
    done = cli(paths_under(tmp_path), "run", "--exclude-size-class", "巨大企業")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr
