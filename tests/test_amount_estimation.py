"""Amounts estimated from partner lists (amount_mode 'estimate'), checked by hand.

A supplier's domestic sales (sales − exports), less what its rows state, are apportioned over
its customers without an amount in proportion to customer sales^β.

The amounts are read from the warehouse after the stages ran without checks or publication
(`Pipeline.run_stages`); the manifest's figures and the command line come from whole runs (slow).
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import Pipeline, cn, firm, sale


def blank(supplier: int, customer: int) -> dict:
    """A partner-list row: the pair, no amount."""
    return {**sale(supplier, customer, 0), "amount_jpy": ""}


FIRMS = [
    firm(1, "13", sales=1_000, export_sales_jpy=100),  # domestic 900
    firm(2, "13", sales=300),
    firm(3, "14", sales=600),
    firm(4, "14", sales=0),
    firm(5, "13", sales=450),
    firm(6, "27", sales=100),
    firm(7, "13", sales=100),  # states more than its domestic sales
    firm(8, "47", sales=7),  # a remainder that does not divide evenly
]

ROWS = [
    blank(1, 2),
    sale(1, 3, 200),  # stated: kept, and only the rest (900 − 200 = 700) is apportioned
    blank(1, 4),
    blank(1, 6),
    blank(5, 2),
    blank(5, 3),
    sale(2, 3, 50),  # a supplier without estimates is untouched
    sale(6, 1, 400),
    sale(6, 5, 10),
    blank(3, 1),
    blank(4, 5),  # domestic sales 0: nothing to apportion
    sale(7, 2, 150),
    blank(7, 3),
    blank(8, 2),
    blank(8, 3),
    blank(8, 6),
]


def staged_amounts(run) -> dict[tuple[str, str], tuple[int, bool]]:
    rows = run.query(
        "select supplier_corporate_number, customer_corporate_number, amount_jpy, amount_estimated "
        "from staged_transactions"
    )
    return {(s, c): (amount, estimated) for s, c, amount, estimated in rows}


@pytest.fixture(scope="module")
def estimated(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("estimated"))
    pipeline.write(FIRMS, ROWS)
    run = pipeline.run_stages(amounts={"amount_mode": "estimate"})
    assert run.success, run.failure
    return run


@pytest.fixture(scope="module")
def estimated_published(tmp_path_factory):
    pipeline = Pipeline(tmp_path_factory.mktemp("estimated_published"))
    pipeline.write(FIRMS, ROWS)
    run = pipeline.run(amounts={"amount_mode": "estimate"})
    assert run.success, run.failure
    return run


def test_domestic_sales_are_apportioned_by_customer_sales(estimated):
    amounts = staged_amounts(estimated)
    # Supplier 1: 700 over customers 2, 4, 6 with sales 300, 0, 100 → 525, 0, 175.
    assert amounts[cn(1), cn(2)] == (525, True)
    assert amounts[cn(1), cn(4)] == (0, True)
    assert amounts[cn(1), cn(6)] == (175, True)
    # Supplier 5: 450 over customers 2, 3 with sales 300, 600 → 150, 300.
    assert amounts[cn(5), cn(2)] == (150, True)
    assert amounts[cn(5), cn(3)] == (300, True)
    # Supplier 3: one customer takes all 600; supplier 4 has no domestic sales.
    assert amounts[cn(3), cn(1)] == (600, True)
    assert amounts[cn(4), cn(5)] == (0, True)
    # Supplier 7 states 150 > its domestic sales of 100: nothing left for customer 3.
    assert amounts[cn(7), cn(3)] == (0, True)


def test_stated_amounts_are_never_changed(estimated):
    amounts = staged_amounts(estimated)
    stated = {(r["supplier_corporate_number"], r["customer_corporate_number"]): r["amount_jpy"] for r in ROWS}
    for pair, amount in stated.items():
        if amount != "":
            assert amounts[pair] == (amount, False)


def test_whole_yen_add_up_to_domestic_sales_exactly(estimated):
    amounts = staged_amounts(estimated)
    # Supplier 8: 7 yen over sales 300, 600, 100 → 2.1, 4.2, 0.7: whole yen, each within 1.
    shares = {cn(2): 2.1, cn(3): 4.2, cn(6): 0.7}
    got = {customer: amounts[cn(8), customer][0] for customer in shares}
    assert sum(got.values()) == 7
    assert all(abs(got[c] - shares[c]) < 1 for c in shares)
    # Every supplier with estimates and something left sells exactly its domestic sales.
    for supplier, domestic in ((1, 900), (5, 450), (3, 600), (8, 7), (4, 0)):
        assert sum(a for (s, _), (a, _) in amounts.items() if s == cn(supplier)) == domestic


def test_degrees_use_the_estimates(estimated):
    degrees = {
        r["corporate_number"]: r
        for r in estimated.records("published_firm_degrees")
        if r["prefecture_code"] == "13"
    }
    # Tokyo's out-of-prefecture sales: firm 1 = 200 + 0 + 175 + export 100 = 475, firm 2 = 50,
    # firm 5 = 300, firm 7 = 0 → 825. In-prefecture purchases: only firm 2, 525 + 150 + 150.
    assert degrees[cn(1)]["out_of_prefecture_sales_jpy"] == 475
    assert degrees[cn(1)]["connector_degree"] == pytest.approx(475 / 825)
    assert degrees[cn(5)]["connector_degree"] == pytest.approx(300 / 825)
    assert degrees[cn(2)]["in_prefecture_purchases_jpy"] == 825
    assert degrees[cn(2)]["hub_degree"] == pytest.approx(1.0)


@pytest.mark.slow
def test_estimated_shares_are_reported_per_prefecture_and_in_the_manifest(estimated_published):
    estimated = estimated_published
    kpis = {r["prefecture_code"]: r for r in estimated.parquet("prefecture_kpis")}
    # Tokyo: estimated out-of-prefecture yen 175 + 0 (firm 1) + 300 (firm 5) + 0 (firm 7) of 825;
    # estimated in-prefecture yen 525 + 150 of 825.
    assert kpis["13"]["estimated_out_of_prefecture_sales_share"] == pytest.approx(475 / 825)
    assert kpis["13"]["estimated_in_prefecture_purchases_share"] == pytest.approx(675 / 825)
    # Osaka (27) sells 410 stated yen out of the prefecture and has no estimate.
    assert kpis["27"]["estimated_out_of_prefecture_sales_share"] == 0
    manifest = json.loads((estimated.published / "manifest.json").read_text(encoding="utf-8"))
    amounts = manifest["amounts"]
    assert amounts["rule"] == {"amount_mode": "estimate", "estimate_beta": 1.0}
    assert amounts["estimated_rows"] == sum(1 for r in ROWS if r["amount_jpy"] == "")
    # 900 − 200 + 450 + 600 + 0 + 0 + 7 estimated yen of all staged yen.
    assert amounts["estimated_jpy"] == 700 + 450 + 600 + 7
    assert amounts["staged_jpy"] == 700 + 450 + 600 + 7 + 200 + 50 + 400 + 10 + 150
    assert amounts["suppliers_whose_stated_amounts_leave_nothing"] == 2  # firm 7, and firm 4 (no sales)
    tokyo = next(p for p in amounts["by_prefecture"] if p["prefecture_code"] == "13")
    assert tokyo["estimated_in_prefecture_purchases_share"] == pytest.approx(675 / 825)


def test_beta_shapes_the_weights(pipeline):
    pipeline.write(FIRMS, ROWS)
    run = pipeline.run_stages(amounts={"amount_mode": "estimate", "estimate_beta": 2.0})
    assert run.success, run.failure
    amounts = staged_amounts(run)
    # Supplier 1: 700 over sales² 90,000, 0, 10,000 → 630, 0, 70.
    assert [amounts[cn(1), cn(c)][0] for c in (2, 4, 6)] == [630, 0, 70]
    run = pipeline.run_stages(amounts={"amount_mode": "estimate", "estimate_beta": 0.0})
    assert run.success, run.failure
    amounts = staged_amounts(run)
    # β = 0: every customer weighs the same: supplier 5's 450 over two customers.
    assert [amounts[cn(5), cn(c)][0] for c in (2, 3)] == [225, 225]


@pytest.mark.slow
def test_require_mode_quarantines_empty_amounts(pipeline):
    pipeline.write(FIRMS, ROWS)
    run = pipeline.run(tolerance=1.0)
    assert run.success, run.failure
    reasons = {r["row_number"]: r["reason"] for r in run.parquet("quarantine")}
    empty_lines = [i + 2 for i, r in enumerate(ROWS) if r["amount_jpy"] == ""]
    assert [reasons.get(line) for line in empty_lines] == ["invalid_amount"] * len(empty_lines)
    manifest = json.loads((run.published / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["amounts"] == {"rule": {"amount_mode": "require", "estimate_beta": 1.0}}


def test_estimate_mode_still_quarantines_bad_amounts_and_repeats(pipeline):
    rows = [
        blank(1, 2),
        {**sale(1, 3, 0), "amount_jpy": "abc"},  # not a number: invalid, not estimated
        sale(1, 6, -5),
        blank(5, 2),
        blank(5, 2),  # the same partner-list line twice
        sale(5, 3, 40),
        blank(5, 3),  # listed with and without an amount
    ]
    pipeline.write(FIRMS, rows)
    run = pipeline.run_stages(amounts={"amount_mode": "estimate"}, tolerance=1.0)
    assert run.success, run.failure
    reasons = {r["row_number"]: r["reason"] for r in run.records("published_quarantine")}
    assert reasons == {
        3: "invalid_amount",
        4: "invalid_amount",
        6: "duplicate_row",
        7: "conflicting_pair",
        8: "conflicting_pair",
    }
    # Supplier 5 keeps one estimated row, which takes all 450.
    assert staged_amounts(run)[cn(5), cn(2)] == (450, True)


def _estimate_at_scale(path, threads: int, beta: float) -> list[tuple]:
    """estimate_amounts.sql over 3 suppliers × 6,000 customers (a third without sales)."""
    from pipeline.warehouse.connection import Warehouse, run_sql

    with Warehouse(path=str(path), threads=threads).connect() as con:
        con.execute(
            "insert into checked_firms (fiscal_year, row_number, corporate_number, sales_jpy, "
            "export_sales_jpy) select 2025, i, cast(1000000000000 + i as varchar), "
            "case when i <= 3 then 9999999999 when i % 3 = 0 then 0 else (i * 7919) % 100000 end, 0 "
            "from range(1, 6004) as t(i)"
        )
        con.execute(
            "insert into checked_transactions (fiscal_year, row_number, supplier_key, customer_key, "
            "amount_jpy, amount_estimated) select 2025, row_number() over (order by s, c), "
            "1000000000000 + s, 1000000000000 + c, "
            "case when c % 7 = 0 then 1000 end, c % 7 <> 0 "
            "from range(1, 4) as a(s), range(4, 6004) as b(c)"
        )
        run_sql(con, "estimate_amounts", fiscal_year=2025, estimate_beta=beta)
        return con.execute(
            "select supplier_key, customer_key, amount_jpy from checked_transactions order by all"
        ).fetchall()


@pytest.mark.parametrize("beta", [0.5, -0.7, 2.5])
def test_estimates_are_exact_whatever_beta_and_thread_count(tmp_path, beta):
    one = _estimate_at_scale(tmp_path / "one.duckdb", 1, beta)
    four = _estimate_at_scale(tmp_path / "four.duckdb", 4, beta)
    assert one == four  # byte-identical whatever the machine's cores
    assert min(amount for _, _, amount in one) >= 0
    # Each supplier's stated ¥1,000 rows plus its estimates make its sales (no exports) exactly.
    for supplier in range(1, 4):
        assert sum(a for s, _, a in one if s == 1000000000000 + supplier) == 9_999_999_999


@pytest.mark.slow
def test_a_partner_list_sample_publishes_from_the_command_line(tmp_path):
    """`sample --no-amounts` then `run --amount-mode estimate`, as a user would run them."""
    import duckdb

    from tests.conftest import cli, paths_under

    paths = paths_under(tmp_path)
    wrote = cli(paths, "sample", "--size", "tiny", "--no-amounts")
    assert wrote.returncode == 0, wrote.stderr
    ran = cli(paths, "run", "--amount-mode", "estimate")
    assert ran.returncode == 0, ran.stderr
    manifest = json.loads((paths.marts_dir / "2025" / "manifest.json").read_text(encoding="utf-8"))
    amounts = manifest["amounts"]
    assert amounts["estimated_rows"] == manifest["rows_per_stage"]["staged_transactions"] > 0
    assert amounts["estimated_share_of_staged_jpy"] == 1.0
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        off = con.execute(
            # By key: the sample's 個人 (no 法人番号) are checked too.
            "with sold as (select supplier_key as k, sum(amount_jpy) as yen "
            "from staged_transactions group by 1) "
            "select count(*) from sold join staged_firms as f on f.firm_key = sold.k "
            "where sold.yen <> f.sales_jpy - f.export_sales_jpy"
        ).fetchone()[0]
    assert off == 0  # every supplier's estimates add up to its domestic sales exactly
    assert (paths.marts_dir / "2025" / "national_candidates.csv").is_file()


def test_explain_marks_estimated_amounts(estimated):
    from pipeline.commands.explain import explain, render_text
    from pipeline.warehouse.connection import Warehouse

    with Warehouse(path=str(estimated.paths.duckdb_path)).connect() as con:
        answer = explain(con, cn(1), 2025)
    sales = {r["counterparty"]: r for r in answer["largest_out_of_prefecture_sales"]}
    assert sales[cn(3)]["amount_estimated"] is False  # stated ¥200
    assert sales[cn(6)]["amount_estimated"] is True  # estimated ¥175
    text = render_text(answer)
    assert "¥175（推計 estimated）" in text and "¥200（推計" not in text
