"""The candidates stage's checks: its GX suites and its SQL gates (sql/checks/), run after its assets."""

from __future__ import annotations

from typing import Any

from pipeline.quality.checks import CheckInputs, SqlCheck
from pipeline.quality.suites import Suite, SuiteContext, gx_expectations, year_of
from pipeline.reference.prefectures import PREFECTURES
from pipeline.warehouse.connection import sql_literal


def rule_violations(ctx: SuiteContext, outcome: str = "is_candidate", register: bool = True) -> str:
    """Rows whose parts, or whose `outcome`, disagree with the contract's macros
    (contract_rule.sql) over the row's own values: the rule as written once. The gate
    candidates_meet_rule recomputes it from the thresholds independently. Without `register`
    the rows carry no register columns (the published lists): candidate_selection's suite and
    the gate check that part."""
    r = ctx.rule
    excluded = "[" + ", ".join(sql_literal(c) for c in r["excluded_size_classes"]) + "]::varchar[]"
    size = f"meets_size(sales_jpy, employees, {int(r['min_sales_jpy'])}, {int(r['min_employees'])})"
    size_class = f"meets_size_class(size_class, {excluded})"
    connector = f"meets_degree(connector_degree, {float(r['min_connector_degree'])!r})"
    hub = f"meets_degree(hub_degree, {float(r['min_hub_degree'])!r})"
    policy = sql_literal(r.get("register_policy") or "report")
    meets_register = f"meets_register({policy}, register_close_date)" if register else "true"
    selection = sql_literal(r.get("selection") or "thresholds")
    register_part = f"or meets_register is distinct from {meets_register} " if register else ""
    return (
        "select * from {batch} where "
        f"meets_connector is distinct from {connector} or meets_hub is distinct from {hub} "
        f"{register_part}or {outcome} is distinct from "
        f"is_candidate({selection}, {size}, {size_class}, {meets_register}, meets_connector, meets_hub, "
        "meets_composite)"
    )


def _candidate_selection(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="is_candidate"),
        gxe.ExpectColumnValuesToNotBeNull(column="firm_id"),
        gxe.ExpectColumnValuesToBeUnique(column="firm_id"),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=rule_violations(ctx),
            description="is_candidate follows the rule in force",
        ),
    ]


def _prefecture_kpis(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
    amounts = ("in_prefecture_transactions_jpy", "out_of_prefecture_firm_sales_jpy", "export_sales_jpy")
    amounts += ("candidates", "candidate_sales_jpy", "candidate_employees")
    return [
        gxe.ExpectTableRowCountToEqual(value=len(PREFECTURES)),
        gxe.ExpectColumnValuesToBeUnique(column="prefecture_code"),
        *(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in amounts),
    ]


def _rule(inputs: CheckInputs) -> dict[str, Any]:
    return dict(inputs.rule)


SUITES = (
    Suite(
        "candidate_selection",
        "candidate_selection",
        year_of("candidate_selection"),
        _candidate_selection,
        "the rule in force decides every firm",
    ),
    Suite(
        "prefecture_kpis",
        "prefecture_kpis",
        year_of("prefecture_kpis"),
        _prefecture_kpis,
        "47 prefectures with non-negative KPIs",
    ),
)

SQL_CHECKS = (
    SqlCheck(
        "candidates_meet_rule",
        "candidate_selection",
        "every candidate satisfies the rule in force, and only those",
        params=_rule,
    ),
    SqlCheck(
        "kpis_reconcile",
        "prefecture_kpis",
        "each prefecture's KPIs equal the sums recomputed from the staged rows",
    ),
    SqlCheck(
        "prefectures_without_candidates",
        "candidate_selection",
        "warning: a prefecture with no candidates or a zero denominator",
        blocking=False,
    ),
    SqlCheck(
        "prefecture_moves_from_previous_year",
        "candidate_selection",
        "warning: a prefecture's totals or candidates moved more than the threshold from last year",
        blocking=False,
        params=lambda i: {"threshold": i.policy.year_over_year_warning},
    ),
)
