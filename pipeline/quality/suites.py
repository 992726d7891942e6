"""Great Expectations suites as code: what a suite is (each stage declares its own in its checks.py).

Each suite names the asset it guards and the SQL whose rows it validates; GX runs
every expectation as SQL inside DuckDB (see gx_duckdb.py), so no table is pulled
into Python. Rule-dependent expectations take the rule recorded for the year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.quality.gx_duckdb import ready
from pipeline.reference.contract import LEGAL_FORMS
from pipeline.reference.prefectures import PREFECTURES

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


def gx_expectations():
    """GX's expectations, imported when a suite is built: importing GX takes seconds."""
    ready()
    import great_expectations.expectations as gxe

    return gxe


def identity_expectations() -> list[Any]:
    """A firm's identity, wherever firms are listed: a 13-digit 法人番号, or none for a 個人 with a
    vendor code; vendor codes unique; the legal form one the contract knows."""
    gxe = gx_expectations()
    return [
        gxe.ExpectColumnValueLengthsToEqual(column="corporate_number", value=13),
        gxe.ExpectColumnValuesToBeUnique(column="vendor_code"),
        gxe.ExpectColumnValuesToBeInSet(column="legal_form", value_set=list(LEGAL_FORMS)),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select * from {batch} where corporate_number is null "
            "and (legal_form <> '個人' or vendor_code is null)",
            description="a firm without a 法人番号 is a 個人 with a vendor code",
        ),
    ]


def year_of(table: str) -> Callable[[SuiteContext], str]:
    return lambda ctx: f"select * from {table} where fiscal_year = {int(ctx.fiscal_year)}"
