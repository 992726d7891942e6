"""The staging stage's checks: its GX suites and its SQL gates (sql/checks/), run after its assets."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from pipeline.quality.checks import CheckInputs, SqlCheck
from pipeline.quality.suites import (
    JSIC_DIVISIONS,
    PREFECTURE_CODES,
    Suite,
    SuiteContext,
    gx_expectations,
    identity_expectations,
    year_of,
)


def _staged_firms(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
    not_null = ("firm_id", "legal_form", "prefecture_code", "jsic_division", "sales_jpy", "employees")
    return [
        *(gxe.ExpectColumnValuesToNotBeNull(column=c) for c in not_null),
        # Unique firm_id: unique 法人番号, and 個人 unique by their codes.
        gxe.ExpectColumnValuesToBeUnique(column="firm_id"),
        *identity_expectations(),
        gxe.ExpectColumnValuesToBeInSet(column="prefecture_code", value_set=PREFECTURE_CODES),
        gxe.ExpectColumnValuesToBeInSet(column="jsic_division", value_set=JSIC_DIVISIONS),
        gxe.ExpectColumnValuesToBeBetween(column="sales_jpy", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="employees", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="sales_jpy", column_B="export_sales_jpy", or_equal=True
        ),
    ]


def _staged_transactions(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
    # Row-level only: at 20M rows a pair-uniqueness GROUP BY would cost more than staging
    # itself; staging's duplicate and conflict tests are covered by the bad-input catalogue.
    # Staged rows are read from checked_transactions: firms as integer keys
    # (tables/checked_transactions.sql).
    return [
        # An estimate may be 0 yen; a stated amount never is.
        gxe.ExpectColumnValuesToNotBeNull(column="amount_jpy"),
        gxe.ExpectColumnValuesToBeBetween(column="amount_jpy", min_value=0),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select * from {batch} where amount_jpy < 1 and not amount_estimated",
            description="a stated amount is positive",
        ),
        # A key is a 法人番号 (13 digits, never a leading 0) or a 個人's negative key.
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select * from {batch} where "
            "not (supplier_key between 1000000000000 and 9999999999999 or supplier_key < 0) "
            "or not (customer_key between 1000000000000 and 9999999999999 or customer_key < 0) "
            "or supplier_key is null or customer_key is null",
            description="both firms are staged firms' keys",
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="within_prefecture"),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select * from {batch} where supplier_key = customer_key",
            description="two different staged firms",
        ),
    ]


def _percent(share: Fraction, tolerance: Fraction) -> str:
    """A share in percent, with as many places as it takes not to look equal to the tolerance
    when it is not (1.00004% against 1%)."""
    for places in range(2, 9):
        shown = f"{float(share * 100):.{places}f}"
        if share == tolerance or shown != f"{float(tolerance * 100):.{places}f}":
            break
    return f"{shown}%"


def _quarantine_shares(rows: list[dict[str, Any]], inputs: CheckInputs, kind: str) -> str:
    """What was measured against what: each file's quarantined share of rows and of yen."""
    tolerance = Fraction(Decimal(inputs.tolerance[kind]))
    texts = []
    for r in rows:
        row_share = Fraction(r["rows_quarantined"], max(r["rows_read"], 1))
        yen_share = Fraction(int(r["quarantined_yen"]), max(int(r["checked_yen"]), 1))
        texts.append(
            f"{r['source_file']}: {_percent(yen_share, tolerance)} of yen and "
            f"{_percent(row_share, tolerance)} of rows ({r['rows_quarantined']:,} of {r['rows_read']:,}) "
            f"quarantined; tolerance {_percent(tolerance, tolerance)}"
        )
    return "; ".join(texts)


SUITES = (
    Suite(
        "staged_firms",
        "staged_firms",
        year_of("staged_firms"),
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
)

SQL_CHECKS = (
    SqlCheck(
        "rows_reconcile",
        "staged_firms",
        "firms: rows read = staged + quarantined",
        params=lambda i: {"kind": "firms"},
    ),
    SqlCheck(
        "rows_reconcile",
        "staged_transactions",
        "transactions: rows read = staged + quarantined",
        params=lambda i: {"kind": "transactions"},
    ),
    SqlCheck(
        "quarantine_within_tolerance",
        "quarantined_firms",
        "quarantined share of firm rows and of sales ≤ tolerance",
        params=lambda i: {"kind": "firms", "tolerance_millionths": i.tolerance_millionths("firms")},
        explain=lambda rows, i: _quarantine_shares(rows, i, "firms"),
    ),
    SqlCheck(
        "quarantine_within_tolerance",
        "quarantined_transactions",
        "quarantined share of transaction rows and of yen ≤ tolerance",
        params=lambda i: {
            "kind": "transactions",
            "tolerance_millionths": i.tolerance_millionths("transactions"),
        },
        explain=lambda rows, i: _quarantine_shares(rows, i, "transactions"),
    ),
    SqlCheck(
        "estimates_reconcile_to_sales",
        "staged_transactions",
        "estimated amounts: each supplier's stated + estimated yen = its domestic sales",
    ),
)
