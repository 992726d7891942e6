"""The publication stage's checks: its GX suites and its SQL gates (sql/checks/), run after its assets."""

from __future__ import annotations

from typing import Any

from pipeline.quality.checks import CheckInputs, SqlCheck
from pipeline.quality.suites import (
    PREFECTURE_CODES,
    Suite,
    SuiteContext,
    gx_expectations,
    identity_expectations,
)
from pipeline.reference.contract import PUBLISHED_CANDIDATE_COLUMNS
from pipeline.stages.candidates.checks import rule_violations


def _published(ctx: SuiteContext) -> list[Any]:
    gxe = gx_expectations()
    return [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=list(PUBLISHED_CANDIDATE_COLUMNS)),
        gxe.ExpectColumnValuesToBeUnique(column="corporate_number"),
        *identity_expectations(),
        gxe.ExpectColumnValuesToBeInSet(column="prefecture_code", value_set=PREFECTURE_CODES),
        gxe.ExpectColumnValuesToBeBetween(column="connector_degree", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="hub_degree", min_value=0, max_value=1),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=rule_violations(ctx, outcome="true", register=False),
            description="every published candidate satisfies the rule in force",
        ),
    ]


def _published_query(ctx: SuiteContext) -> str:
    path = ctx.publication.replace("'", "''")
    return f"select * from read_parquet('{path}/national_candidates.parquet')"


def _publication(inputs: CheckInputs) -> dict[str, Any]:
    return {
        "national_candidates": str(inputs.publication / "national_candidates.parquet"),
        "firm_degrees": str(inputs.publication / "firm_degrees.parquet"),
    }


SUITES = (
    Suite(
        "published",
        "publication_draft",
        _published_query,
        _published,
        "the draft national list has the contract's columns and only rule-abiding firms",
    ),
)

SQL_CHECKS = (
    SqlCheck(
        "published_corporate_numbers_valid",
        "publication_draft",
        "published firms have a valid 法人番号 (or are a 個人 with a vendor code) and none repeats",
        params=_publication,
    ),
)
