"""Every GX suite and every SQL gate fails on bad data and passes on good data.

A validator that silently passes everything would let bad data through; so each gate is
run on a copy of a real warehouse, once as the pipeline left it and once corrupted by one
SQL statement aimed at what the gate guards.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.quality.checks import CheckInputs, SqlCheck
from pipeline.quality.gx_duckdb import SuiteOutcome, validate
from pipeline.quality.policy import QualityPolicy
from pipeline.quality.suites import Suite, SuiteContext
from pipeline.reference.contract import PUBLISHED_CANDIDATE_COLUMNS
from pipeline.reference.prefectures import PREFECTURES
from pipeline.stages.catalog import SQL_CHECKS, SUITES
from pipeline.warehouse.connection import Warehouse, fetch_rows, run_sql
from tests.conftest import YEAR, Pipeline, cn, firm, sale

FISCAL_YEAR = int(YEAR)
WARNING = "prefectures_without_candidates"
PREFECTURES_WITH_FIRMS = {"13", "23", "27"}


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    """Tokyo (13): 1 exports ¥400, sells ¥600 to Osaka and buys ¥300 from 2; 3 has no trade.
    Osaka (27): 5 buys ¥500 from 4 and sells ¥200 to Aichi. Aichi (23): 7 buys ¥100 from 6
    and sells ¥250 to Tokyo. Each prefecture has both denominators > 0 and one candidate
    (1, 5 and 7)."""
    pipeline = Pipeline(tmp_path_factory.mktemp("good"))
    pipeline.write(
        [
            firm(1, "13", export_sales_jpy=400),
            firm(2, "13"),
            firm(3, "13"),
            firm(4, "27"),
            firm(5, "27"),
            firm(6, "23"),
            firm(7, "23"),
        ],
        [
            sale(1, 4, 600),
            sale(2, 1, 300),
            sale(4, 5, 500),
            sale(5, 6, 200),
            sale(6, 7, 100),
            sale(7, 2, 250),
        ],
    )
    run = pipeline.run()
    assert run.success, run.failure
    evaluations = run.result.get_asset_check_evaluations()
    # every suite, every SQL gate, and prefecture_charts' own check of its 47 PNGs
    assert len(evaluations) == len(SUITES) + len(SQL_CHECKS) + 1
    failed = {(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed}
    assert failed == {("candidate_selection", WARNING)}
    candidates = run.query("select corporate_number from candidate_selection where is_candidate")
    assert {row[0] for row in candidates} == {cn(1), cn(5), cn(7)}
    return run


@pytest.fixture
def warehouse(good_run, tmp_path) -> Path:
    """A private copy of the good run's warehouse file."""
    copy = tmp_path / "warehouse" / "warehouse.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(good_run.paths.duckdb_path, copy)
    return copy


def _execute(database: Path, sql: str) -> None:
    with Warehouse(path=str(database)).connect() as con:
        con.execute(sql)


def _rule(database: Path) -> dict:
    with Warehouse(path=str(database)).connect() as con:
        return json.loads(fetch_rows(con, "selection_rule", fiscal_year=FISCAL_YEAR)[0][0])


def _write_parquet(path: Path, sql: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(f"copy ({sql}) to '{path}' (format parquet)")


# ---------------------------------------------------------------------------- GX suites


def _validate(database: Path, suite: Suite, publication: Path) -> SuiteOutcome:
    context = SuiteContext(FISCAL_YEAR, _rule(database), str(publication))
    return validate(database, suite.name, suite.query(context), suite.expectations(context))


def _swapped_columns(published: Path, folder: Path) -> None:
    """The candidates file with name and corporate_number swapped in the column order."""
    columns = list(PUBLISHED_CANDIDATE_COLUMNS)
    i, j = columns.index("corporate_number"), columns.index("name")
    columns[i], columns[j] = columns[j], columns[i]
    source = published / "national_candidates.parquet"
    _write_parquet(folder / "national_candidates.parquet", f"select {', '.join(columns)} from '{source}'")


# suite -> (corrupting SQL, expectation that must fail, its column or None)
SUITE_CORRUPTIONS = {
    "raw_firms": (
        f'create or replace view raw."firms_{YEAR}" as select 1 as row_number',
        "expect_column_to_exist",
        "name",
    ),
    "raw_transactions": (
        f'create or replace view raw."transactions_{YEAR}" as '
        "select 1 as row_number, '' as supplier_corporate_number, '' as customer_corporate_number, "
        "'' as amount_jpy where false",
        "expect_table_row_count_to_be_between",
        None,
    ),
    "staged_firms": (
        f"update checked_firms set prefecture_code = '99' where corporate_number = '{cn(2)}'",
        "expect_column_values_to_be_in_set",
        "prefecture_code",
    ),
    "staged_transactions": (
        f"update checked_transactions set amount_jpy = -1 where supplier_key = {cn(2)}",
        "expect_column_values_to_be_between",
        "amount_jpy",
    ),
    "firm_flows": (
        f"update firm_flows set out_of_prefecture_sales_jpy = -1 where corporate_number = '{cn(3)}'",
        "expect_column_values_to_be_between",
        "out_of_prefecture_sales_jpy",
    ),
    "prefecture_totals": (
        "delete from prefecture_totals where prefecture_code = '47'",
        "expect_table_row_count_to_equal",
        None,
    ),
    "firm_degrees": (
        f"update firm_degrees set connector_degree = 1.5 where corporate_number = '{cn(1)}'",
        "expect_column_values_to_be_between",
        "connector_degree",
    ),
    "candidate_selection": (
        f"update candidate_selection set is_candidate = not is_candidate where corporate_number = '{cn(5)}'",
        "unexpected_rows_expectation",
        None,
    ),
    "firm_size_classes": (
        f"update firm_size_classes set size_class = '巨大企業' where firm_id = '{cn(1)}'",
        "expect_column_values_to_be_in_set",
        "size_class",
    ),
    "firm_indicators": (
        f"update firm_indicators set customer_hhi = 1.5 where firm_id = '{cn(1)}'",
        "expect_column_values_to_be_between",
        "customer_hhi",
    ),
    "block_degrees": (
        f"update block_degrees set block_hub_degree = -0.1 where firm_id = '{cn(5)}'",
        "expect_column_values_to_be_between",
        "block_hub_degree",
    ),
    "composite_indicators": (
        # A firm without T-scores loses its reason: a null score would go unexplained.
        f"update composite_indicators set composite_reason = null, connector_t = null "
        f"where firm_id = '{cn(1)}'",
        "unexpected_rows_expectation",
        None,
    ),
    "prefecture_kpis": (
        "delete from prefecture_kpis where prefecture_code = '47'",
        "expect_table_row_count_to_equal",
        None,
    ),
    "published": (_swapped_columns, "expect_table_columns_to_match_ordered_list", None),
}
SUITES_BY_NAME = {s.name: s for s in SUITES}


def test_every_suite_has_a_corruption():
    assert set(SUITE_CORRUPTIONS) == set(SUITES_BY_NAME)


@pytest.mark.parametrize("name", list(SUITES_BY_NAME))
def test_suite_passes_on_good_data(good_run, warehouse, name):
    outcome = _validate(warehouse, SUITES_BY_NAME[name], good_run.published)
    assert [o.summary() for o in outcome.outcomes if o.error is not None] == []
    assert outcome.success is True, [o.summary() for o in outcome.failures]


@pytest.mark.parametrize("name", list(SUITES_BY_NAME))
def test_suite_fails_on_bad_data(good_run, warehouse, tmp_path, name):
    corruption, expectation, column = SUITE_CORRUPTIONS[name]
    publication = good_run.published
    if callable(corruption):
        publication = tmp_path / "draft"
        corruption(good_run.published, publication)
    else:
        _execute(warehouse, corruption)
    outcome = _validate(warehouse, SUITES_BY_NAME[name], publication)
    assert outcome.success is False
    caught = [
        o
        for o in outcome.failures
        if o.expectation == expectation and o.error is None and o.arguments.get("column") == column
    ]
    assert caught, [o.summary() for o in outcome.outcomes]


# ---------------------------------------------------------------------------- SQL gates


def _offending_rows(database: Path, check: SqlCheck, publication: Path) -> list[dict]:
    """The check's SQL with the parameters the pipeline gives it: its offending rows."""
    with Warehouse(path=str(database)).connect() as con:
        rule = json.loads(fetch_rows(con, "selection_rule", fiscal_year=FISCAL_YEAR)[0][0])
        tolerance = dict(fetch_rows(con, "quarantine_tolerances", fiscal_year=FISCAL_YEAR))
        inputs = CheckInputs(FISCAL_YEAR, rule, QualityPolicy(), publication, tolerance)
        cursor = run_sql(con, f"checks/{check.name}", fiscal_year=FISCAL_YEAR, **check.params(inputs))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _previous_year(scale: float) -> str:
    """Last year's totals and candidates: this year's, with the totals times `scale`."""
    previous = FISCAL_YEAR - 1
    return f"""
        insert into prefecture_totals
        select * replace (
            {previous} as fiscal_year,
            cast(round(out_of_prefecture_sales_jpy * {scale}) as hugeint) as out_of_prefecture_sales_jpy,
            cast(round(in_prefecture_purchases_jpy * {scale}) as hugeint) as in_prefecture_purchases_jpy
        )
        from prefecture_totals where fiscal_year = {FISCAL_YEAR};
        insert into candidate_selection
        select * replace ({previous} as fiscal_year)
        from candidate_selection where fiscal_year = {FISCAL_YEAR};
    """


def _corporate_numbers(folder: Path, candidates: list, degrees: list) -> None:
    """Minimal published files: only the identity columns, which the gate reads. A firm is a
    法人番号 (a 法人), or (corporate_number, vendor_code, legal_form) with None for an empty cell."""

    def literal(value: str | None) -> str:
        return "null::varchar" if value is None else f"'{value}'"

    for name, firms in (("national_candidates", candidates), ("firm_degrees", degrees)):
        rows = [(f, None, "法人") if isinstance(f, str) else f for f in firms]
        values = ", ".join(f"({', '.join(literal(v) for v in row)})" for row in rows)
        columns = "v(corporate_number, vendor_code, legal_form)"
        _write_parquet(folder / f"{name}.parquet", f"select * from (values {values}) as {columns}")


INDIVIDUAL = (None, "V1", "個人")
BAD_CHECK_DIGIT = ("1" if cn(2)[0] != "1" else "2") + cn(2)[1:]

# (asset, check) -> corrupting SQL, or a function writing a bad publication into a folder
CHECK_CORRUPTIONS = {
    ("staged_firms", "rows_reconcile"): f"delete from checked_firms where corporate_number = '{cn(3)}'",
    ("staged_transactions", "rows_reconcile"): (
        f"delete from checked_transactions where supplier_key = {cn(2)}"
    ),
    ("quarantined_firms", "quarantine_within_tolerance"): (
        f"insert into quarantined_firms values ({YEAR}, 'firms.csv', 9, 'invalid_prefecture', '{{}}', 0)"
    ),
    ("quarantined_transactions", "quarantine_within_tolerance"): (
        f"insert into quarantined_transactions values ({YEAR}, 'transactions.csv', 9, 'invalid_amount', "
        "'{}', 0)"
    ),
    ("staged_transactions", "estimates_reconcile_to_sales"): (
        # Supplier 2's stated rows, flagged as estimates, no longer add up to its domestic sales.
        f"update checked_transactions set amount_estimated = true where supplier_key = {cn(2)}"
    ),
    ("firm_flows", "out_of_prefecture_sales_conserved"): (
        "update firm_flows set out_of_prefecture_sales_jpy = out_of_prefecture_sales_jpy + 1 "
        f"where corporate_number = '{cn(7)}'"
    ),
    ("firm_degrees", "degrees_sum_to_one"): (
        f"update firm_degrees set hub_degree = hub_degree / 2 where corporate_number = '{cn(5)}'"
    ),
    ("firm_degrees", "degrees_within_unit_interval"): (
        f"update firm_degrees set connector_degree = 1.5 where corporate_number = '{cn(1)}'"
    ),
    ("candidate_selection", "candidates_meet_rule"): (
        f"update candidate_selection set is_candidate = not is_candidate where corporate_number = '{cn(2)}'"
    ),
    ("block_degrees", "block_degrees_sum_to_one"): (
        # Osaka's firm 5 sells ¥200 to Aichi (中部), all of 近畿's out-of-block sales.
        "update block_degrees set block_connector_degree = block_connector_degree / 2 "
        f"where firm_id = '{cn(5)}' and block_code = 'kinki'"
    ),
    ("prefecture_kpis", "kpis_reconcile"): (
        "update prefecture_kpis set in_prefecture_transactions_jpy = in_prefecture_transactions_jpy + 1 "
        "where prefecture_code = '13'"
    ),
    ("publication_draft", "published_corporate_numbers_valid"): (
        lambda folder: _corporate_numbers(folder, [cn(1), cn(5), cn(1)], [cn(1), cn(2)])
    ),
    ("candidate_selection", WARNING): (
        "update candidate_selection set is_candidate = false where prefecture_code = '27'"
    ),
    ("candidate_selection", "prefecture_moves_from_previous_year"): _previous_year(0.6),
    ("firm_flows", "out_of_prefecture_sales_above_sales"): (
        "update firm_flows set out_of_prefecture_sales_jpy = sales_jpy + 1 "
        f"where corporate_number = '{cn(1)}'"
    ),
}
# Good data that needs setting up to mean anything: a previous year that moved < 30%.
CHECK_GOOD_SETUP = {("candidate_selection", "prefecture_moves_from_previous_year"): _previous_year(0.9)}
CHECKS = {(c.asset, c.name): c for c in SQL_CHECKS}
CHECK_IDS = [f"{asset}-{name}" for asset, name in CHECKS]


def _run_check(warehouse: Path, key: tuple[str, str], publication: Path, corruption=None) -> list[dict]:
    if isinstance(corruption, str):
        _execute(warehouse, corruption)
    elif corruption is not None:
        corruption(publication)
    return _offending_rows(warehouse, CHECKS[key], publication)


def test_every_check_has_a_corruption():
    assert len(CHECKS) == len(SQL_CHECKS)
    assert set(CHECK_CORRUPTIONS) == set(CHECKS)


@pytest.mark.parametrize("key", list(CHECKS), ids=CHECK_IDS)
def test_check_passes_on_good_data(good_run, warehouse, key):
    rows = _run_check(warehouse, key, good_run.published, CHECK_GOOD_SETUP.get(key))
    if key[1] == WARNING:
        # Only the 44 prefectures without a firm: no candidates and zero denominators.
        flagged = {r["prefecture_code"] for r in rows}
        assert flagged == {p.code for p in PREFECTURES} - PREFECTURES_WITH_FIRMS
    else:
        assert rows == []


@pytest.mark.parametrize("key", list(CHECKS), ids=CHECK_IDS)
def test_check_fails_on_bad_data(warehouse, tmp_path, key):
    rows = _run_check(warehouse, key, tmp_path / "draft", CHECK_CORRUPTIONS[key])
    assert len(rows) >= 1
    if key[1] == WARNING:
        assert "27" in {r["prefecture_code"] for r in rows}
        assert "13" not in {r["prefecture_code"] for r in rows}


def test_moves_need_a_previous_year(good_run, warehouse):
    """Without last year in the warehouse there is nothing to compare: no rows."""
    key = ("candidate_selection", "prefecture_moves_from_previous_year")
    assert _run_check(warehouse, key, good_run.published) == []


def test_moves_flag_only_the_prefectures_that_moved(warehouse, tmp_path):
    rows = _run_check(
        warehouse,
        ("candidate_selection", "prefecture_moves_from_previous_year"),
        tmp_path,
        _previous_year(0.6),
    )
    assert {r["prefecture_code"] for r in rows} == PREFECTURES_WITH_FIRMS


@pytest.mark.parametrize(
    ("candidates", "degrees"),
    [
        pytest.param([cn(1), cn(5), cn(1)], [cn(1), cn(2)], id="repeated-candidate"),
        pytest.param([cn(1)], [cn(1), BAD_CHECK_DIGIT], id="bad-check-digit-in-degrees"),
        pytest.param([cn(1)[:12]], [cn(1)], id="twelve-digits"),
        pytest.param([INDIVIDUAL, INDIVIDUAL], [cn(1)], id="repeated-individual"),
        pytest.param([cn(1)], [(None, "V2", "法人")], id="corporation-without-number"),
        pytest.param([cn(1)], [(None, None, "個人")], id="individual-without-code"),
    ],
)
def test_published_corporate_numbers_gate(warehouse, tmp_path, candidates, degrees):
    key = ("publication_draft", "published_corporate_numbers_valid")
    firms = [cn(1), INDIVIDUAL]  # a 個人 has an empty number and its vendor code
    good = _run_check(warehouse, key, tmp_path / "good", lambda f: _corporate_numbers(f, firms, firms))
    assert good == []
    rows = _run_check(warehouse, key, tmp_path / "bad", lambda f: _corporate_numbers(f, candidates, degrees))
    assert len(rows) == 1


def test_degrees_sum_to_one_catches_null_degrees_where_the_denominator_is_not_zero(warehouse):
    """Osaka's hub denominator is ¥500, so its hub degrees must sum to 1; all of them null
    (as a broken degree computation might leave them) does not."""
    key = ("firm_degrees", "degrees_sum_to_one")
    rows = _run_check(
        warehouse,
        key,
        warehouse.parent,
        "update firm_degrees set hub_degree = null where prefecture_code = '27'",
    )
    assert [r["prefecture_code"] for r in rows] == ["27"]
