"""Great Expectations suites, one per stage, as code.

Each suite names the asset it guards and the SQL whose rows it validates; GX runs
every expectation as SQL inside DuckDB (see gx_duckdb.py), so no table is pulled
into Python. Rule-dependent expectations take the rule recorded for the year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.blocks import BLOCKS
from pipeline.contract import FIRMS, PUBLISHED_CANDIDATE_COLUMNS, SIZE_CLASSES, TRANSACTIONS
from pipeline.prefectures import PREFECTURES
from pipeline.quality.gx_duckdb import ready
from pipeline.warehouse import sql_literal

PREFECTURE_CODES = [p.code for p in PREFECTURES]
JSIC_DIVISIONS = [chr(c) for c in range(ord("A"), ord("T") + 1)]


@dataclass(frozen=True)
class SuiteContext:
    """What a suite may depend on: the year, the rule in force and the draft publication."""

    fiscal_year: int
    rule: dict[str, Any]
    publication: str = ""


@dataclass(frozen=True)
class Suite:
    """A GX suite: the asset it guards, the rows it reads, and its expectations."""

    name: str
    asset: str
    query: Callable[[SuiteContext], str]
    expectations: Callable[[SuiteContext], list[Any]]
    description: str


def _gxe():
    """GX's expectations, imported when a suite is built: importing GX takes seconds."""
    ready()
    import great_expectations.expectations as gxe

    return gxe


def _year_of(table: str) -> Callable[[SuiteContext], str]:
    return lambda ctx: f"select * from {table} where fiscal_year = {int(ctx.fiscal_year)}"


def _raw(kind: str) -> Callable[[SuiteContext], str]:
    return lambda ctx: f'select * from raw."{kind}_{int(ctx.fiscal_year)}"'


def _raw_expectations(columns: tuple[str, ...]) -> Callable[[SuiteContext], list[Any]]:
    def expectations(ctx: SuiteContext) -> list[Any]:
        gxe = _gxe()
        return [gxe.ExpectTableRowCountToBeBetween(min_value=1)] + [
            gxe.ExpectColumnToExist(column=c) for c in columns
        ]

    return expectations


def _staged_firms(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    not_null = ("corporate_number", "prefecture_code", "jsic_division", "sales_jpy", "employees")
    return [
        *(gxe.ExpectColumnValuesToNotBeNull(column=c) for c in not_null),
        gxe.ExpectColumnValuesToBeUnique(column="corporate_number"),
        gxe.ExpectColumnValueLengthsToEqual(column="corporate_number", value=13),
        gxe.ExpectColumnValuesToBeInSet(column="prefecture_code", value_set=PREFECTURE_CODES),
        gxe.ExpectColumnValuesToBeInSet(column="jsic_division", value_set=JSIC_DIVISIONS),
        gxe.ExpectColumnValuesToBeBetween(column="sales_jpy", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="employees", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="sales_jpy", column_B="export_sales_jpy", or_equal=True
        ),
    ]


def _staged_transactions(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    # Row-level only: at 20M rows a pair-uniqueness GROUP BY would cost more than staging
    # itself; staging's duplicate and conflict tests are covered by the bad-input catalogue.
    # Staged rows are read from checked_transactions: firms as integer keys, see schema.sql.
    return [
        # An estimate (issue 8) may be 0 yen; a stated amount never is.
        gxe.ExpectColumnValuesToNotBeNull(column="amount_jpy"),
        gxe.ExpectColumnValuesToBeBetween(column="amount_jpy", min_value=0),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select * from {batch} where amount_jpy < 1 and not amount_estimated",
            description="a stated amount is positive",
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="supplier_key", min_value=1_000_000_000_000, max_value=9_999_999_999_999
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="customer_key", min_value=1_000_000_000_000, max_value=9_999_999_999_999
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="within_prefecture"),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select * from {batch} where supplier_key = customer_key",
            description="two different staged firms",
        ),
    ]


def _firm_flows(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    # One row per firm is checked where it matters: staged firms and the selection.
    return [
        gxe.ExpectColumnValuesToBeBetween(column="out_of_prefecture_sales_jpy", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="in_prefecture_purchases_jpy", min_value=0),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select * from {batch} where out_of_prefecture_sales_jpy "
                "> sales_to_firms_jpy + export_sales_jpy "
                "or in_prefecture_purchases_jpy > purchases_from_firms_jpy"
            ),
            description="a part never exceeds its whole",
        ),
    ]


def _prefecture_totals(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    return [
        gxe.ExpectTableRowCountToEqual(value=len(PREFECTURES)),
        gxe.ExpectColumnValuesToBeUnique(column="prefecture_code"),
        gxe.ExpectColumnValuesToBeBetween(column="out_of_prefecture_sales_jpy", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="in_prefecture_purchases_jpy", min_value=0),
    ]


def _firm_degrees(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    return [
        gxe.ExpectColumnValuesToBeBetween(column="connector_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="hub_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="connector_rank", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="hub_rank", min_value=1),
    ]


def _rule_violations(ctx: SuiteContext) -> str:
    r = ctx.rule
    excluded = ", ".join(sql_literal(c) for c in r["excluded_size_classes"])
    if r.get("selection") == "composite_top_n":
        picked = "(composite_rank is not null and meets_composite)"
    else:
        picked = (
            f"(coalesce(connector_degree >= {float(r['min_connector_degree'])!r}, false) "
            f"or coalesce(hub_degree >= {float(r['min_hub_degree'])!r}, false))"
        )
    return (
        "select * from {batch} where is_candidate is distinct from ("
        f"sales_jpy >= {int(r['min_sales_jpy'])} and employees >= {int(r['min_employees'])} "
        f"and not list_contains([{excluded}]::varchar[], size_class) and {picked})"
    )


def _candidate_selection(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="is_candidate"),
        gxe.ExpectColumnValuesToBeUnique(column="corporate_number"),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=_rule_violations(ctx),
            description="is_candidate follows the rule in force",
        ),
    ]


def _composite_indicators(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    t_scores = ("connector_t", "hub_t", "profit_t", "employment_t", "profit_growth_t", "employment_growth_t")
    return [
        gxe.ExpectColumnValuesToBeUnique(column="corporate_number"),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select * from {batch} where (composite_reason is null) <> ("
                + " and ".join(f"{t} is not null" for t in t_scores)
                + ")"
            ),
            description="T-scores exactly where no input is missing, a reason everywhere else",
        ),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select * from {batch} where composite_reason is null and not ("
                + " and ".join(f"{r} between 1 and scored_firms" for r in _RANKS)
                + ")"
            ),
            description="each rank lies between 1 and the prefecture's scored firms",
        ),
    ]


_RANKS = (
    "connector_rank_avg",
    "hub_rank_avg",
    "profit_rank_avg",
    "employment_rank_avg",
    "profit_growth_rank_avg",
    "employment_growth_rank_avg",
)


def _firm_size_classes(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    return [
        gxe.ExpectColumnValuesToBeUnique(column="corporate_number"),
        gxe.ExpectColumnValuesToBeInSet(column="size_class", value_set=list(SIZE_CLASSES)),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select * from {batch} where (size_class = 'unknown') <> (size_class_reason is not null)"
            ),
            description="a reason exactly where the size class is unknown",
        ),
    ]


def _firm_indicators(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    shares = ("in_prefecture_procurement_share", "top_customer_share", "customer_hhi")
    counts = ("in_prefecture_customers", "out_of_prefecture_customers")
    counts += ("in_prefecture_suppliers", "out_of_prefecture_suppliers")
    return [
        gxe.ExpectColumnValuesToBeUnique(column="corporate_number"),
        *(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1) for c in shares),
        *(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in counts),
        # Where every customer's amount is 0 yen (only an estimate can be), there is no HHI.
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select * from {batch} where customer_hhi is not null "
                "and in_prefecture_customers + out_of_prefecture_customers = 0"
            ),
            description="an HHI only where the firm has customers",
        ),
    ]


def _block_degrees(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    return [
        gxe.ExpectColumnValuesToBeInSet(column="block_code", value_set=[b.code for b in BLOCKS]),
        gxe.ExpectColumnValuesToBeBetween(column="block_connector_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="block_hub_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="out_of_block_sales_jpy", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="in_block_purchases_jpy", min_value=0),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select block_code, corporate_number from {batch} "
                "group by block_code, corporate_number having count(*) > 1"
            ),
            description="one row per block and firm",
        ),
    ]


def _prefecture_kpis(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    amounts = ("in_prefecture_transactions_jpy", "out_of_prefecture_firm_sales_jpy", "export_sales_jpy")
    amounts += ("candidates", "candidate_sales_jpy", "candidate_employees")
    return [
        gxe.ExpectTableRowCountToEqual(value=len(PREFECTURES)),
        gxe.ExpectColumnValuesToBeUnique(column="prefecture_code"),
        *(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in amounts),
    ]


def _published(ctx: SuiteContext) -> list[Any]:
    gxe = _gxe()
    return [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=list(PUBLISHED_CANDIDATE_COLUMNS)),
        gxe.ExpectColumnValuesToBeUnique(column="corporate_number"),
        gxe.ExpectColumnValueLengthsToEqual(column="corporate_number", value=13),
        gxe.ExpectColumnValuesToBeInSet(column="prefecture_code", value_set=PREFECTURE_CODES),
        gxe.ExpectColumnValuesToBeBetween(column="connector_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="hub_degree", min_value=0, max_value=1),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=_rule_violations(ctx).replace("is_candidate", "true"),
            description="every published candidate satisfies the rule in force",
        ),
    ]


def _published_query(ctx: SuiteContext) -> str:
    path = ctx.publication.replace("'", "''")
    return f"select * from read_parquet('{path}/national_candidates.parquet')"


SUITES = (
    Suite(
        "raw_firms",
        "raw_firms",
        _raw("firms"),
        _raw_expectations(FIRMS.required),
        "the firms file has rows and every required column",
    ),
    Suite(
        "raw_transactions",
        "raw_transactions",
        _raw("transactions"),
        _raw_expectations(TRANSACTIONS.required),
        "the transactions file has rows and every required column",
    ),
    Suite(
        "staged_firms",
        "staged_firms",
        _year_of("staged_firms"),
        _staged_firms,
        "staged firms are complete, unique and within the contract's domains",
    ),
    Suite(
        "staged_transactions",
        "staged_transactions",
        lambda ctx: (
            f"select * from checked_transactions where fiscal_year = {int(ctx.fiscal_year)} "
            "and reason is null"
        ),
        _staged_transactions,
        "staged transactions are positive and between two different staged firms",
    ),
    Suite(
        "firm_flows",
        "firm_flows",
        _year_of("firm_flows"),
        _firm_flows,
        "flows are non-negative and one per firm",
    ),
    Suite(
        "prefecture_totals",
        "prefecture_totals",
        _year_of("prefecture_totals"),
        _prefecture_totals,
        "47 prefectures with non-negative denominators",
    ),
    Suite(
        "firm_degrees",
        "firm_degrees",
        _year_of("firm_degrees"),
        _firm_degrees,
        "degrees in [0, 1], ranks from 1",
    ),
    Suite(
        "candidate_selection",
        "candidate_selection",
        _year_of("candidate_selection"),
        _candidate_selection,
        "the rule in force decides every firm",
    ),
    Suite(
        "composite_indicators",
        "composite_indicators",
        _year_of("composite_indicators"),
        _composite_indicators,
        "composite T-scores where every input is there, a reason where not, ranks in range",
    ),
    Suite(
        "firm_size_classes",
        "firm_size_classes",
        _year_of("firm_size_classes"),
        _firm_size_classes,
        "one legal size class per firm, with a reason wherever it is unknown",
    ),
    Suite(
        "firm_indicators",
        "firm_indicators",
        _year_of("firm_indicators"),
        _firm_indicators,
        "shares and HHI in [0, 1], counts non-negative, one row per firm",
    ),
    Suite(
        "block_degrees",
        "block_degrees",
        _year_of("block_degrees"),
        _block_degrees,
        "block degrees in [0, 1], one row per block and firm",
    ),
    Suite(
        "prefecture_kpis",
        "prefecture_kpis",
        _year_of("prefecture_kpis"),
        _prefecture_kpis,
        "47 prefectures with non-negative KPIs",
    ),
    Suite(
        "published",
        "publication_draft",
        _published_query,
        _published,
        "the draft national list has the contract's columns and only rule-abiding firms",
    ),
)
