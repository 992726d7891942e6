"""The rule's verdict on the adjusted figures, part by part from the macros the selection uses."""

from __future__ import annotations

from typing import Any

import duckdb

from pipeline.commands.assess.errors import AssessmentError
from pipeline.commands.rule_parts import displayed_parts, part_flags
from pipeline.registry.rule import SelectionRule
from pipeline.warehouse.connection import (
    fetch_records,
    run_sql,
    sql_for_year,
)

SELECTIONS = ("thresholds", "composite_top_n")


def composite_verdict(
    rule: dict[str, Any], composite: dict[str, Any] | None, flags: dict[str, Any]
) -> dict[str, Any] | None:
    """For `selection: composite_top_n`: the firm's place by composite score among its
    prefecture's firms that pass the size tests, recomputed over the adjusted degrees
    (composite_ranking below), and whether `flags` (part_flags of that place) put it in the top
    N; None when the ranking was not recomputed."""
    if composite is None:
        return None
    return {
        **composite,
        "top_n_per_prefecture": rule["top_n_per_prefecture"],
        "meets_composite": bool(flags["meets_composite"]),
    }


def composite_ranking(con: duckdb.DuckDBPyConnection, rule: dict[str, Any], keys: dict[str, Any]) -> dict:
    """The composite score and places of the assessed firm once its prefecture's degrees are
    adjusted: composite_indicators' SQL over the temp view composite_degrees of assess_degrees."""
    run_sql(con, "assess/composite_degrees", prefecture_code=keys["prefecture_code"])
    indicators = sql_for_year("composite_indicators", keys["fiscal_year"])
    con.execute(f"create or replace temp table assess_composite as {indicators}")
    params = {**SelectionRule(**rule).sql_parameters(), **keys}
    return fetch_records(con, "assess/composite_ranking", **params)[0]


def verdict(
    rule: dict[str, Any], figures: dict[str, Any], con: duckdb.DuckDBPyConnection | None = None
) -> dict[str, Any]:
    """Whether a firm with these figures (sales_jpy, employees, size_class, connector_degree,
    hub_degree) meets the rule recorded for the year, part by part from the macros the selection
    uses (pipeline/commands/rule_parts.py). For `selection: composite_top_n` the threshold tests
    are reported and the candidacy is left to composite_verdict."""
    selection = rule.get("selection") or "thresholds"
    if selection not in SELECTIONS:
        raise AssessmentError(
            f"the rule recorded for the year has selection {selection!r}; "
            f"assess knows {', '.join(SELECTIONS)}"
        )
    excluded = list(rule.get("excluded_size_classes") or [])
    ranked = figures.get("composite")
    place = {"eligible_composite_rank": ranked["eligible_rank"] if ranked else None}
    # Every part in one query: the thresholds, the composite place where it was recomputed.
    flags = part_flags(rule, {**figures, **place}, con)
    thresholds = displayed_parts({**rule, "selection": "thresholds"}, figures, flags)
    size_class_test = {
        "test": "size_class not in",
        "value": figures.get("size_class"),
        "threshold": excluded,
        "passed": bool(flags["meets_size_class"]),
    }
    # Under selection thresholds the parts end with the connector and hub tests; the size
    # class goes just before them, after the size (and register) tests.
    tests = [*thresholds[:-2], size_class_test, *thresholds[-2:]]
    result: dict[str, Any] = {
        "selection": selection,
        "tests": tests,
        "meets_size": bool(flags["meets_size"]),
        "meets_size_class": bool(flags["meets_size_class"]),
        "meets_register": bool(flags["meets_register"]),
        "meets_connector": bool(flags["meets_connector"]),
        "meets_hub": bool(flags["meets_hub"]),
        # The degree test's outcome whatever the selection: the rule under selection thresholds.
        "meets_thresholds": bool(flags["meets_thresholds"]),
    }
    composite = composite_verdict(rule, ranked, flags)
    if selection == "thresholds":
        # The composite place is shown beside the thresholds, as the lists show meets_composite.
        result.update(is_candidate=result["meets_thresholds"], composite=composite, note=None)
        return result
    if composite is None:
        result.update(
            composite=None,
            is_candidate=None,
            note="selection composite_top_n: the composite ranking was not recomputed; candidacy not decided",
        )
        return result
    result["tests"].append(
        {
            "test": "composite place among size-passing firms ≤",
            "value": composite["eligible_rank"],
            "threshold": composite["top_n_per_prefecture"],
            "passed": composite["meets_composite"],
        }
    )
    result.update(
        composite=composite,
        is_candidate=bool(flags["is_candidate"]),
        note="selection composite_top_n: candidates are the top N by composite score among the firms "
        "that pass the size tests; the degree thresholds are shown for comparison",
    )
    return result
