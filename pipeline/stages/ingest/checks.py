"""The ingest stage's checks: its GX suites and its SQL gates (sql/checks/), run after its assets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.quality.suites import Suite, SuiteContext, gx_expectations
from pipeline.reference.contract import FIRMS, TRANSACTIONS


def _raw(kind: str) -> Callable[[SuiteContext], str]:
    return lambda ctx: f'select * from raw."{kind}_{int(ctx.fiscal_year)}"'


def _raw_expectations(columns: tuple[str, ...]) -> Callable[[SuiteContext], list[Any]]:
    def expectations(ctx: SuiteContext) -> list[Any]:
        gxe = gx_expectations()
        return [gxe.ExpectTableRowCountToBeBetween(min_value=1)] + [
            gxe.ExpectColumnToExist(column=c) for c in columns
        ]

    return expectations


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
)

SQL_CHECKS = ()
