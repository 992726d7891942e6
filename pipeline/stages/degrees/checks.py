"""The degrees stage's checks: its GX suites and its SQL gates (sql/checks/), run after its assets."""

from __future__ import annotations

from typing import Any

from pipeline.quality.checks import SqlCheck
from pipeline.quality.suites import Suite, SuiteContext, gx_expectations, year_of


def _firm_degrees(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
    return [
        gxe.ExpectColumnValuesToBeBetween(column="connector_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="hub_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="connector_rank", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="hub_rank", min_value=1),
    ]


SUITES = (
    Suite(
        "firm_degrees",
        "firm_degrees",
        year_of("firm_degrees"),
        _firm_degrees,
        "degrees in [0, 1], ranks from 1",
    ),
)

SQL_CHECKS = (
    SqlCheck(
        "degrees_sum_to_one",
        "firm_degrees",
        "per prefecture with a non-zero denominator, Σ degree = 1 ± 1e-9",
    ),
    SqlCheck("degrees_within_unit_interval", "firm_degrees", "every degree lies in [0, 1]"),
)
