"""The indicators stage's checks: its GX suites and its SQL gates (sql/checks/), run after its assets."""

from __future__ import annotations

from typing import Any

from pipeline.quality.checks import SqlCheck
from pipeline.quality.suites import Suite, SuiteContext, gx_expectations, year_of
from pipeline.reference.blocks import BLOCKS
from pipeline.reference.contract import SIZE_CLASSES


def _composite_indicators(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
    t_scores = ("connector_t", "hub_t", "profit_t", "employment_t", "profit_growth_t", "employment_growth_t")
    return [
        gxe.ExpectColumnValuesToBeUnique(column="firm_id"),
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
    gxe = gx_expectations()
    return [
        gxe.ExpectColumnValuesToBeUnique(column="firm_id"),
        gxe.ExpectColumnValuesToBeInSet(column="size_class", value_set=list(SIZE_CLASSES)),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select * from {batch} where (size_class = 'unknown') <> (size_class_reason is not null)"
            ),
            description="a reason exactly where the size class is unknown",
        ),
    ]


def _firm_indicators(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
    shares = ("in_prefecture_procurement_share", "top_customer_share", "customer_hhi")
    counts = ("in_prefecture_customers", "out_of_prefecture_customers")
    counts += ("in_prefecture_suppliers", "out_of_prefecture_suppliers")
    return [
        gxe.ExpectColumnValuesToBeUnique(column="firm_id"),
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
    gxe = gx_expectations()
    return [
        gxe.ExpectColumnValuesToBeInSet(column="block_code", value_set=[b.code for b in BLOCKS]),
        gxe.ExpectColumnValuesToBeBetween(column="block_connector_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="block_hub_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="out_of_block_sales_jpy", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="in_block_purchases_jpy", min_value=0),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select block_code, firm_id from {batch} group by block_code, firm_id having count(*) > 1"
            ),
            description="one row per block and firm",
        ),
    ]


SUITES = (
    Suite(
        "composite_indicators",
        "composite_indicators",
        year_of("composite_indicators"),
        _composite_indicators,
        "composite T-scores where every input is there, a reason where not, ranks in range",
    ),
    Suite(
        "firm_size_classes",
        "firm_size_classes",
        year_of("firm_size_classes"),
        _firm_size_classes,
        "one legal size class per firm, with a reason wherever it is unknown",
    ),
    Suite(
        "firm_indicators",
        "firm_indicators",
        year_of("firm_indicators"),
        _firm_indicators,
        "shares and HHI in [0, 1], counts non-negative, one row per firm",
    ),
    Suite(
        "block_degrees",
        "block_degrees",
        year_of("block_degrees"),
        _block_degrees,
        "block degrees in [0, 1], one row per block and firm",
    ),
)

SQL_CHECKS = (
    SqlCheck(
        "block_degrees_sum_to_one",
        "block_degrees",
        "each block holds every firm of its prefectures once; its degrees sum to 1 ± 1e-9",
    ),
)
