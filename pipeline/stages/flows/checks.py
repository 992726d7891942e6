"""The flows stage's checks: its GX suites and its SQL gates (sql/checks/), run after its assets."""

from __future__ import annotations

from typing import Any

from pipeline.quality.checks import SqlCheck
from pipeline.quality.suites import Suite, SuiteContext, gx_expectations, year_of
from pipeline.reference.prefectures import PREFECTURES


def _firm_flows(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
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
    gxe = gx_expectations()
    return [
        gxe.ExpectTableRowCountToEqual(value=len(PREFECTURES)),
        gxe.ExpectColumnValuesToBeUnique(column="prefecture_code"),
        gxe.ExpectColumnValuesToBeBetween(column="out_of_prefecture_sales_jpy", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="in_prefecture_purchases_jpy", min_value=0),
    ]


SUITES = (
    Suite(
        "firm_flows",
        "firm_flows",
        year_of("firm_flows"),
        _firm_flows,
        "flows are non-negative and one per firm",
    ),
    Suite(
        "prefecture_totals",
        "prefecture_totals",
        year_of("prefecture_totals"),
        _prefecture_totals,
        "47 prefectures with non-negative denominators",
    ),
)

SQL_CHECKS = (
    SqlCheck(
        "out_of_prefecture_sales_conserved",
        "firm_flows",
        "Σ out-of-prefecture sales = Σ inter-prefecture transactions + Σ exports",
    ),
    SqlCheck(
        "out_of_prefecture_sales_above_sales",
        "firm_flows",
        "warning: a firm's out-of-prefecture sales exceed its sales_jpy",
        blocking=False,
    ),
)
