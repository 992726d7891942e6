"""The rule's parts for one firm, as the selection computes them (contract_rule.sql's macros):
what `explain` shows and what `assess` decides with, so neither holds a copy of the rule."""

from __future__ import annotations

from typing import Any

import duckdb

from pipeline.registry.rule import SelectionRule
from pipeline.warehouse.connection import fetch_records
from pipeline.warehouse.schema import load_macros


def part_flags(
    rule: dict[str, Any], figures: dict[str, Any], con: duckdb.DuckDBPyConnection | None = None
) -> dict[str, Any]:
    """meets_sales, meets_employees, meets_size, meets_size_class, meets_connector, meets_hub,
    meets_register (from figures' register_close_date, if any), meets_composite (from figures'
    eligible_composite_rank, if any), is_candidate and meets_thresholds (the rule under
    selection thresholds); on `con`
    (which has the macros) or on an in-memory DuckDB."""
    params = {
        **SelectionRule(**rule).sql_parameters(),
        "sales_jpy": figures["sales_jpy"],
        "employees": figures["employees"],
        "size_class": figures.get("size_class"),
        "connector_degree": figures["connector_degree"],
        "hub_degree": figures["hub_degree"],
        "eligible_composite_rank": figures.get("eligible_composite_rank"),
        "register_close_date": _date_text(figures.get("register_close_date")),
    }
    if con is not None:
        return fetch_records(con, "rule_parts", **params)[0]
    with duckdb.connect() as memory:
        load_macros(memory)
        return fetch_records(memory, "rule_parts", **params)[0]


def _date_text(value: Any) -> str | None:
    return None if value is None else str(value)[:10]


def displayed_parts(
    rule: dict[str, Any], figures: dict[str, Any], flags: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each threshold of the rule with the firm's value and whether it passes (from `flags`);
    the composite place instead of the degrees under selection composite_top_n."""

    def part(test: str, value: Any, threshold: Any, passed: Any) -> dict[str, Any]:
        return {"test": test, "value": value, "threshold": threshold, "passed": bool(passed)}

    size = [
        part("sales_jpy ≥", figures["sales_jpy"], rule["min_sales_jpy"], flags["meets_sales"]),
        part("employees ≥", figures["employees"], rule["min_employees"], flags["meets_employees"]),
    ]
    if (rule.get("register_policy") or "report") != "report":
        # The value is the register's close date; the test is that there is none.
        closed = _date_text(figures.get("register_close_date"))
        size.append(part("国税庁 register close date =", closed or "none", "none", flags["meets_register"]))
    if rule.get("selection") == "composite_top_n":
        # The place among the size-passing firms is what the rule tests.
        place = figures.get("eligible_composite_rank", figures.get("composite_rank"))
        return size + [
            part("composite top N ≤", place, rule["top_n_per_prefecture"], flags["meets_composite"])
        ]
    return size + [
        part(
            "connector_degree ≥",
            figures["connector_degree"],
            rule["min_connector_degree"],
            flags["meets_connector"],
        ),
        part("hub_degree ≥", figures["hub_degree"], rule["min_hub_degree"], flags["meets_hub"]),
    ]
