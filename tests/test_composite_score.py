"""The composite score of the 地域未来牽引企業 method, against a hand computation.

Tokyo (13) has four scored firms 1–4 and three that cannot be scored. The ranks of each
indicator below are worked out by hand from the inputs; the T-scores follow from them.

The stages run without checks or publication (`Pipeline.run_stages`) and the rows are read with
the publication's own queries; one test publishes, for the rule's file.
"""

from __future__ import annotations

import statistics

import pytest

from tests.conftest import Pipeline, cn, firm, sale


def history(profits: tuple[int, int, int], staff: tuple[int, int, int]) -> dict:
    """operating_profit_jpy_y0..y2 and employees_y0..y2 (y0 = this year)."""
    return {
        **{f"operating_profit_jpy_y{i}": p for i, p in enumerate(profits)},
        **{f"employees_y{i}": e for i, e in enumerate(staff)},
    }


FIRMS = [
    # Connector numerators are the exports 400, 300, 200, 100 (no sales out of Tokyo otherwise).
    firm(1, "13", export_sales_jpy=400, **history((10, 10, 10), (100, 100, 100))),
    firm(2, "13", export_sales_jpy=300, **history((30, 20, 10), (50, 50, 50))),
    firm(3, "13", export_sales_jpy=200, **history((5, 5, 5), (200, 100, 50))),
    firm(4, "13", export_sales_jpy=100, **history((40, 40, 40), (100, 100, 100))),
    firm(5, "13"),  # no history
    firm(6, "13", **history((10, -5, 10), (10, 10, 10))),  # a loss in y1: no profit growth
    firm(7, "13", employees=30),  # the local supplier; no history
    firm(8, "14", export_sales_jpy=50, **history((1, 1, 1), (1, 1, 1))),  # another prefecture
    firm(9, "14"),  # firm 8's local supplier, so that Kanagawa has a hub denominator
]
# Hub numerators: in-Tokyo purchases 100, 100, 300, 0 from firm 7.
SALES = [sale(7, 1, 100), sale(7, 2, 100), sale(7, 3, 300), sale(8, 4, 999), sale(9, 8, 5)]

# Ranks among firms 1–4 (1 = highest; ties share the average), by hand:
RANKS = {
    "connector": (1, 2, 3, 4),  # 0.4, 0.3, 0.2, 0.1
    "hub": (2.5, 2.5, 1, 4),  # 100, 100, 300, 0
    "profit": (3, 2, 4, 1),  # means 10, 20, 5, 40
    "employment": (2.5, 4, 1, 2.5),  # means 100, 50, 116.7, 100
    "profit_growth": (3, 1, 3, 3),  # √(y0/y2) − 1: 0, 0.732, 0, 0
    "employment_growth": (3, 3, 1, 3),  # 0, 0, 1, 0
}
WEIGHTS = {
    "connector": 0.15,
    "hub": 0.15,
    "profit": 0.15,
    "employment": 0.15,
    "profit_growth": 0.20,
    "employment_growth": 0.20,
}


def t_scores(ranks: tuple[float, ...]) -> list[float]:
    """T = 50 + 10 (mean rank − rank) / population SD of the ranks."""
    mean, sd = statistics.mean(ranks), statistics.pstdev(ranks)
    return [50 + 10 * (mean - r) / sd for r in ranks]


def expected_scores(weights: dict[str, float]) -> list[float]:
    t = {name: t_scores(ranks) for name, ranks in RANKS.items()}
    total = sum(weights.values())
    return [sum(weights[name] * t[name][i] for name in weights) / total for i in range(4)]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("composite"))
    pipeline.write(FIRMS, SALES)
    run = pipeline.run_stages()
    assert run.success, run.failure
    return run


def by_number(rows: list[dict]) -> dict[str, dict]:
    return {r["corporate_number"]: r for r in rows}


def test_scores_reproduce_the_hand_computation(published):
    firms = by_number(published.records("published_firm_degrees"))
    scores = expected_scores(WEIGHTS)
    # Firm 1, written out: T = 63.42, 50, 45.53, 50, 44.23, 44.23 → 0.15·208.94 + 0.2·88.45.
    assert scores[0] == pytest.approx(49.0322, abs=1e-4)
    for i, expected in enumerate(scores):
        assert firms[cn(i + 1)]["composite_score"] == pytest.approx(expected, rel=1e-12)
    order = sorted(range(4), key=lambda i: -scores[i])
    assert [firms[cn(i + 1)]["composite_rank"] for i in order] == [1, 2, 3, 4]


def test_the_working_is_published(published):
    rows = by_number(published.records("published_composite_scores"))
    one = rows[cn(3)]
    assert one["profit_contribution_jpy"] == pytest.approx(5)
    assert one["employment_contribution"] == pytest.approx(350 / 3)
    assert one["employment_growth"] == pytest.approx(1.0)
    assert [one[f"{name}_rank_avg"] for name in RANKS] == [RANKS[name][2] for name in RANKS]
    assert one["hub_t"] == pytest.approx(t_scores(RANKS["hub"])[2])
    assert one["scored_firms"] == 4


def test_a_firm_missing_an_input_gets_no_score_and_a_reason(published):
    firms = by_number(published.records("published_firm_degrees"))
    assert firms[cn(5)]["composite_score"] is None
    assert firms[cn(5)]["composite_rank"] is None
    assert firms[cn(5)]["composite_reason"] == "missing operating_profit_jpy_y0..y2; missing employees_y0..y2"
    assert firms[cn(6)]["composite_score"] is None
    assert firms[cn(6)]["composite_reason"] == "profit_growth undefined (operating profit ≤ 0 in a year)"
    # Alone in its prefecture's ranking, firm 8 is at the mean on every indicator.
    assert firms[cn(8)]["composite_score"] == pytest.approx(50)
    assert firms[cn(1)]["composite_reason"] is None


@pytest.mark.slow
def test_top_n_by_composite_score_selects_the_candidates(pipeline):
    pipeline.write(FIRMS, SALES)
    run = pipeline.run(rule={"selection": "composite_top_n", "top_n_per_prefecture": 2})
    assert run.success, run.failure
    scores = expected_scores(WEIGHTS)
    top_two = {cn(i + 1) for i in sorted(range(4), key=lambda i: -scores[i])[:2]}
    tokyo = {
        r["corporate_number"] for r in run.parquet("national_candidates") if r["prefecture_code"] == "13"
    }
    assert tokyo == top_two
    # Firm 8 is the only scored firm of Kanagawa and passes the size test.
    assert cn(8) in {r["corporate_number"] for r in run.parquet("national_candidates")}
    rule = (run.published / "rule.json").read_text(encoding="utf-8")
    assert '"selection": "composite_top_n"' in rule


def test_threshold_lists_show_the_composite_view_beside_them(published):
    firms = by_number(published.records("published_firm_degrees"))
    scores = expected_scores(WEIGHTS)
    # The four scored firms are all inside the default top 10; unscored firms never are.
    tokyo_top = {n for n, r in firms.items() if r["meets_composite"] and r["prefecture_code"] == "13"}
    assert tokyo_top == {cn(i + 1) for i in range(4)}
    # Firm 1 is a candidate by the degree thresholds (connector 0.4) and shows its score too.
    candidates = by_number(published.records("national_candidates"))
    assert candidates[cn(1)]["composite_score"] == pytest.approx(scores[0])
    assert candidates[cn(1)]["composite_rank"] == firms[cn(1)]["composite_rank"]


def test_weights_are_configuration(pipeline):
    pipeline.write(FIRMS, SALES)
    weights = {"connector_degree": 0, "hub_degree": 1, "profit_contribution": 0}
    weights |= {"employment_contribution": 0, "profit_growth": 0, "employment_growth": 0}
    run = pipeline.run_stages(rule={"composite_weights": weights})
    assert run.success, run.failure
    firms = by_number(run.records("published_firm_degrees"))
    hub_only = t_scores(RANKS["hub"])
    assert [firms[cn(i + 1)]["composite_score"] for i in range(4)] == pytest.approx(hub_only)
    assert [firms[cn(i + 1)]["composite_rank"] for i in range(4)] == [2, 2, 1, 4]


def test_a_rule_that_cannot_be_is_refused_with_its_reason(tmp_path):
    from tests.conftest import cli, paths_under

    paths = paths_under(tmp_path)
    (paths.raw_dir / "2025").mkdir(parents=True)
    ran = cli(paths, "run", "--selection", "composite_top_n", "--top-n", "0")
    assert ran.returncode == 2
    assert "top_n_per_prefecture" in ran.stderr and "Traceback" not in ran.stderr
    ran = cli(paths, "run", "--weight", "profit_growth=inf")
    assert ran.returncode == 2 and "profit_growth" in ran.stderr and "Traceback" not in ran.stderr
