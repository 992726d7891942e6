"""The register's Great Expectations suite, run in DuckDB like the stages' (quality/suites.py)."""

from __future__ import annotations

from typing import Any

from pipeline.quality.gx_duckdb import ready
from pipeline.stages.register.layout import PROCESS_CODES

SUITE_NAME = "corporate_register"
QUERY = "select * from register_rows"


def register_expectations() -> list[Any]:
    """Every applied row: 13 digits, a valid check digit, a known 処理区分, `latest` 0 or 1, and
    at most one latest row per number in each file."""
    ready()
    import great_expectations.expectations as gxe  # here: importing GX takes seconds

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="corporate_number"),
        gxe.ExpectColumnValueLengthsToEqual(column="corporate_number", value=13),
        gxe.ExpectColumnValuesToBeInSet(column="number_valid", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="process", value_set=sorted(PROCESS_CODES)),
        gxe.ExpectColumnValuesToBeInSet(column="latest", value_set=["0", "1"]),
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "select source_file, corporate_number, count(*) as latest_rows from {batch} "
                "where latest = '1' group by source_file, corporate_number having count(*) > 1"
            ),
            description="one latest row per number in each file",
        ),
    ]
