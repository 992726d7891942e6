"""What the amount estimate did in a fiscal year, for the staging metadata and the manifest."""

from __future__ import annotations

from typing import Any

import duckdb

from pipeline.warehouse.connection import fetch_records


def estimate_summary(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> dict[str, Any]:
    """What the estimate did in a fiscal year (estimated_amounts.sql): estimated rows and
    yen, all staged yen, suppliers with estimates, those left with nothing to apportion, and
    the 0-yen estimates."""
    return fetch_records(con, "estimated_amounts", fiscal_year=fiscal_year)[0]
