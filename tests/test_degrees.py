"""Degrees, ranks and the selection rule, against values computed by hand (contract §3, §4).

The stages run on tiny inputs without checks or publication (`Pipeline.run_stages`); the rows
are those of the publication's own queries. One test publishes: the rule's file."""

from __future__ import annotations

import pytest

from tests.conftest import cn, firm, sale


@pytest.fixture(scope="module")
def hand_graph(tmp_path_factory):
    """Tokyo (13): 1 exports ¥400 and sells ¥600 to Osaka; 2 sells ¥200 to Osaka and ¥300 to 1;
    3 has no transactions. Osaka (27): 4 and 5 buy ¥500 from each other; 4 sells ¥1,000 to 2.
    Hokkaido (01): 6 alone, no flows, so both denominators are 0."""
    from tests.conftest import Pipeline

    pipeline = Pipeline(tmp_path_factory.mktemp("hand"))
    pipeline.write(
        [
            firm(1, "13", export_sales_jpy=400),
            firm(2, "13"),
            firm(3, "13"),
            firm(4, "27"),
            firm(5, "27"),
            firm(6, "01"),
        ],
        [
            sale(1, 4, 600),
            sale(2, 5, 200),
            sale(2, 1, 300),
            sale(4, 5, 500),
            sale(5, 4, 500),
            sale(4, 2, 1000),
        ],
    )
    run = pipeline.run_stages()
    assert run.success, run.failure
    return {row["corporate_number"]: row for row in run.records("published_firm_degrees")}


@pytest.mark.parametrize(
    ("firm_no", "out_sales", "in_purchases", "connector", "hub", "connector_rank", "hub_rank"),
    [
        (1, 1000, 300, 1000 / 1200, 1.0, 1, 1),  # exporter: ¥600 + ¥400 export
        (2, 200, 0, 200 / 1200, 0.0, 2, 2),
        (3, 0, 0, 0.0, 0.0, 3, 2),  # no transactions: zero degrees, tied last hub rank
        (4, 1000, 500, 1.0, 0.5, 1, 1),
        (5, 0, 500, 0.0, 0.5, 2, 1),  # hub tie with 4: both rank 1
        (6, 0, 0, None, None, None, None),  # Hokkaido: denominators 0
    ],
)
def test_degrees_match_hand_computation(
    hand_graph, firm_no, out_sales, in_purchases, connector, hub, connector_rank, hub_rank
):
    row = hand_graph[cn(firm_no)]
    assert row["out_of_prefecture_sales_jpy"] == out_sales
    assert row["in_prefecture_purchases_jpy"] == in_purchases
    assert row["connector_degree"] == (None if connector is None else pytest.approx(connector, abs=1e-15))
    assert row["hub_degree"] == (None if hub is None else pytest.approx(hub, abs=1e-15))
    assert row["connector_rank"] == connector_rank
    assert row["hub_rank"] == hub_rank


def test_degrees_of_a_prefecture_sum_to_one(hand_graph):
    for prefecture in ("13", "27"):
        rows = [r for r in hand_graph.values() if r["prefecture_code"] == prefecture]
        assert sum(r["connector_degree"] for r in rows) == pytest.approx(1.0, abs=1e-12)
        assert sum(r["hub_degree"] for r in rows) == pytest.approx(1.0, abs=1e-12)


def test_firm_without_degrees_is_never_a_candidate(hand_graph):
    row = hand_graph[cn(6)]
    assert (row["meets_connector"], row["meets_hub"], row["is_candidate"]) == (False, False, False)


EDGE_FIRMS = {
    # Fukuoka (40) sells ¥1,000,000 in all to Saga (41): connector degree = yen / 1,000,000.
    11: dict(sales=1_000_000_000, employees=20, out=1_000),  # every test exactly at its edge
    12: dict(sales=1_000_000_000, employees=20, out=999),  # degree 0.000999
    13: dict(sales=999_999_999, employees=20, out=300_000),  # ¥1 short
    14: dict(sales=1_000_000_000, employees=19, out=300_000),  # one employee short
    15: dict(sales=1_000_000_000, employees=20, out=398_001),
}


@pytest.fixture(scope="module")
def edge_run(tmp_path_factory):
    from tests.conftest import Pipeline

    pipeline = Pipeline(tmp_path_factory.mktemp("edges"))
    firms = [firm(n, "40", sales=f["sales"], employees=f["employees"]) for n, f in EDGE_FIRMS.items()]
    firms.append(firm(20, "41"))
    # Nagasaki (42): 30 sells ¥1,000,000 in all inside the prefecture; hub degree = yen / 1,000,000.
    firms += [firm(30, "42"), firm(31, "42"), firm(32, "42"), firm(33, "42")]
    transactions = [sale(n, 20, f["out"]) for n, f in EDGE_FIRMS.items()]
    transactions += [sale(30, 31, 1_000), sale(30, 32, 999), sale(30, 33, 998_001)]
    pipeline.write(firms, transactions)
    return pipeline


def _candidates(run, published: bool = True) -> set[str]:
    rows = run.parquet("national_candidates") if published else run.records("national_candidates")
    return {row["corporate_number"] for row in rows}


def test_thresholds_are_inclusive_at_their_edges(edge_run):
    run = edge_run.run_stages()
    assert run.success, run.failure
    degrees = {row["corporate_number"]: row for row in run.records("published_firm_degrees")}
    assert degrees[cn(11)]["connector_degree"] == 0.001
    assert degrees[cn(31)]["hub_degree"] == 0.001
    assert _candidates(run, published=False) == {cn(11), cn(15), cn(31), cn(33)}
    assert degrees[cn(12)]["meets_connector"] is False
    assert degrees[cn(32)]["meets_hub"] is False


@pytest.mark.slow
def test_rule_comes_from_config_and_is_published(edge_run):
    run = edge_run.run(rule={"min_employees": 19, "min_connector_degree": 0.000999})
    assert run.success, run.failure
    assert _candidates(run) == {cn(11), cn(12), cn(14), cn(15), cn(31), cn(33)}
    rule = (run.published / "rule.json").read_text(encoding="utf-8")
    assert '"min_employees": 19' in rule
    assert '"min_connector_degree": 0.000999' in rule
