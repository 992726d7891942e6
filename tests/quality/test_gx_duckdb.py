"""Guards the private-API patch in pipeline/quality/gx_duckdb.py.

GX 1.24 needs DuckDB in its private `_PERSISTED_CONNECTION_DIALECTS` to read query rows
through duckdb-engine. If an upgrade breaks that, these tests fail: a passing expectation
comes back failed or with an error, a failing one without its unexpected count, or the
database file stays open after validation.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import great_expectations.expectations as gxe
import pytest
from great_expectations.execution_engine import sqlalchemy_execution_engine as gx_engine

from pipeline.quality import gx_duckdb
from pipeline.quality.gx_duckdb import (
    ExpectationOutcome,
    keep_duckdb_connection_open,
    skip_saving_project_config,
    validate,
)

# id is unique; corporate_number has one null and one 12-digit value; prefecture_code has
# one '99' and repeats '13'; sales >= export everywhere (once equal); a >= b except in
# row 3; (kind, code) repeats in rows 1 and 4.
ROWS = """
    (1, '7000012050002', '13', 500, 100, 10, 5, 'firm', 'A'),
    (2, '4000012090001', '27', 300, 300, 3, 3, 'firm', 'B'),
    (3, '118030101877', '99', 200, 0, 2, 7, 'firm', 'C'),
    (4, null, '13', 0, 0, 0, 0, 'firm', 'A')
"""
COLUMNS = ["id", "corporate_number", "prefecture_code", "sales", "export", "a", "b", "kind", "code"]
QUERY = "select * from sample"


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gx") / "sample.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table sample as select * from (values {ROWS}) as v({', '.join(COLUMNS)})")
    return path


def _pair_duplicates(a: str, b: str) -> str:
    return f"select {a}, {b}, count(*) as rows from {{batch}} group by all having count(*) > 1"


def _case(label: str, expectation, success: bool, **expected):
    """One expectation, labelled (GX does not keep a suite's order), with what it must report."""
    expectation.description = label
    return pytest.param(expectation, success, expected, id=label)


CASES = [
    _case("not_null-pass", gxe.ExpectColumnValuesToNotBeNull(column="id"), True, unexpected_count=0),
    _case(
        "not_null-fail",
        gxe.ExpectColumnValuesToNotBeNull(column="corporate_number"),
        False,
        unexpected_count=1,
    ),
    _case("unique-pass", gxe.ExpectColumnValuesToBeUnique(column="id"), True, unexpected_count=0),
    _case(
        "unique-fail",
        gxe.ExpectColumnValuesToBeUnique(column="prefecture_code"),
        False,
        unexpected_count=2,  # GX counts every row of a repeated value
        examples=["13", "13"],
    ),
    _case(
        "between-pass", gxe.ExpectColumnValuesToBeBetween(column="a", min_value=0), True, unexpected_count=0
    ),
    _case(
        "between-fail",
        gxe.ExpectColumnValuesToBeBetween(column="a", min_value=1, max_value=5),
        False,
        unexpected_count=2,
        examples=[10, 0],
    ),
    _case(
        "in_set-pass",
        gxe.ExpectColumnValuesToBeInSet(column="prefecture_code", value_set=["13", "27", "99"]),
        True,
        unexpected_count=0,
    ),
    _case(
        "in_set-fail",
        gxe.ExpectColumnValuesToBeInSet(column="prefecture_code", value_set=["13", "27"]),
        False,
        unexpected_count=1,
        examples=["99"],
    ),
    _case(
        "lengths-pass", gxe.ExpectColumnValueLengthsToEqual(column="kind", value=4), True, unexpected_count=0
    ),
    _case(
        "lengths-fail",  # the null is not counted: not_null guards that
        gxe.ExpectColumnValueLengthsToEqual(column="corporate_number", value=13),
        False,
        unexpected_count=1,
        examples=["118030101877"],
    ),
    _case(
        "pair-pass",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="sales", column_B="export", or_equal=True),
        True,
        unexpected_count=0,
    ),
    _case(
        "pair-fail",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="a", column_B="b", or_equal=True),
        False,
        unexpected_count=1,
        examples=[[2, 7]],
    ),
    _case(
        "compound_unique-pass",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_pair_duplicates("id", "code")),
        True,
        observed_value=0,
    ),
    _case(
        "compound_unique-fail",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_pair_duplicates("kind", "code")),
        False,
        observed_value=1,
    ),
    _case("row_count-pass", gxe.ExpectTableRowCountToEqual(value=4), True, observed_value=4),
    _case("row_count-fail", gxe.ExpectTableRowCountToEqual(value=47), False, observed_value=4),
    _case("row_count_between-pass", gxe.ExpectTableRowCountToBeBetween(min_value=1), True, observed_value=4),
    _case("row_count_between-fail", gxe.ExpectTableRowCountToBeBetween(min_value=5), False, observed_value=4),
    _case(
        "ordered_columns-pass",
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=COLUMNS),
        True,
        observed_value=COLUMNS,
    ),
    _case(
        "ordered_columns-fail",
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=[COLUMNS[1], COLUMNS[0], *COLUMNS[2:]]),
        False,
        observed_value=COLUMNS,
    ),
    _case("column_exists-pass", gxe.ExpectColumnToExist(column="code"), True),
    _case("column_exists-fail", gxe.ExpectColumnToExist(column="employees"), False),
]


@pytest.fixture(scope="module")
def outcomes(database) -> dict[str, ExpectationOutcome]:
    """Every case validated in one suite, keyed by its label."""
    suite = validate(database, "patch_guard", QUERY, [case.values[0] for case in CASES])
    assert len(suite.outcomes) == len(CASES)
    return {o.arguments["description"]: o for o in suite.outcomes}


@pytest.mark.parametrize(("expectation", "success", "expected"), CASES)
def test_expectation_outcome(outcomes, expectation, success, expected):
    outcome = outcomes[expectation.description]
    assert outcome.error is None, outcome.summary()
    assert outcome.success is success, outcome.summary()
    assert {k: getattr(outcome, k) for k in expected} == expected, outcome.summary()


def test_a_failure_is_never_reported_as_success(outcomes):
    failing = {case.id for case in CASES if not case.values[1]}
    assert {label for label, o in outcomes.items() if not o.success} == failing


def test_every_expectation_kind_used_by_the_suites_is_covered():
    from pipeline.quality.suites import SuiteContext
    from pipeline.stages.catalog import SUITES

    rule = {
        "min_sales_jpy": 1,
        "min_employees": 1,
        "min_connector_degree": 0.1,
        "min_hub_degree": 0.1,
        "excluded_size_classes": [],
    }
    context = SuiteContext(2025, rule, "/nowhere")
    used = {type(e).__name__ for s in SUITES for e in s.expectations(context)}
    covered = {type(case.values[0]).__name__ for case in CASES if not case.values[1]}
    assert used <= covered, used - covered


def test_suite_passes_only_when_every_expectation_passes(database):
    passing = validate(database, "pass", QUERY, [gxe.ExpectColumnValuesToNotBeNull(column="id")])
    assert passing.success is True
    mixed = validate(
        database,
        "mixed",
        QUERY,
        [gxe.ExpectColumnValuesToNotBeNull(column="id"), gxe.ExpectColumnToExist(column="employees")],
    )
    assert mixed.success is False
    assert [o.expectation for o in mixed.failures] == ["expect_column_to_exist"]


def test_gx_releases_the_database_file(database):
    """DuckDB refuses, in one process, a connection with another configuration while GX
    still holds one to the same file."""
    validate(database, "release", QUERY, [gxe.ExpectTableRowCountToEqual(value=4)])
    with duckdb.connect(str(database), config={"threads": 1}) as con:
        assert con.execute("select count(*) from sample").fetchone() == (4,)
    # and again, after a second validation in the same process
    validate(database, "release_again", QUERY, [gxe.ExpectColumnValuesToBeUnique(column="id")])
    with duckdb.connect(str(database), config={"threads": 1}) as con:
        con.execute("create or replace table touched as select 1 as x")


def test_suites_over_one_open_connection_share_a_context_and_free_the_file(database):
    """A run validates every suite over its open database with one GX context; each suite's
    asset goes after it (a suite may run again), and closing the run's connection frees the file."""
    con = duckdb.connect(str(database))
    try:
        rows = validate(database, "shared", QUERY, [gxe.ExpectTableRowCountToEqual(value=4)], connection=con)
        context = gx_duckdb._shared.context
        numbers = validate(
            database,
            "shared",
            QUERY,
            [gxe.ExpectColumnValuesToNotBeNull(column="corporate_number")],
            connection=con,
        )
        assert gx_duckdb._shared.context is context
    finally:
        con.close()
    assert rows.success is True
    assert numbers.success is False and numbers.outcomes[0].unexpected_count == 1
    with duckdb.connect(str(database), config={"threads": 1}) as other:
        assert other.execute("select count(*) from sample").fetchone() == (4,)


def test_the_config_patch_fails_loudly_when_gx_changes():
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    skip_saving_project_config(context)
    context.data_sources.add_pandas("frames")  # adding a data source saves the config: skipped
    with pytest.raises(RuntimeError, match="_save_project_config"):
        skip_saving_project_config(object())


def test_keep_duckdb_connection_open_is_idempotent():
    keep_duckdb_connection_open()
    keep_duckdb_connection_open()
    dialects = gx_engine._PERSISTED_CONNECTION_DIALECTS
    assert sum(1 for d in dialects if d == "duckdb") == 1


def test_a_broken_patch_shows_as_an_error_not_as_a_data_failure(database, monkeypatch):
    """Without the patch GX cannot read DuckDB rows; the outcome must say why, so that a
    GX upgrade that breaks the patch is not mistaken for bad data."""
    monkeypatch.setattr(gx_duckdb, "keep_duckdb_connection_open", lambda: None)
    monkeypatch.setattr(
        gx_engine,
        "_PERSISTED_CONNECTION_DIALECTS",
        tuple(d for d in gx_engine._PERSISTED_CONNECTION_DIALECTS if d != "duckdb"),
    )
    suite = validate(database, "unpatched", QUERY, [gxe.ExpectColumnValuesToNotBeNull(column="id")])
    assert suite.success is False
    assert suite.outcomes[0].error is not None, suite.outcomes[0].summary()
