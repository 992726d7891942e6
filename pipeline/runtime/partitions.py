"""Fiscal-year partitions: one per four-digit folder under DATA_RAW_DIR."""

from __future__ import annotations

import dagster as dg

fiscal_year_partitions = dg.DynamicPartitionsDefinition(name="fiscal_year")


def fiscal_year_of(context: dg.AssetExecutionContext) -> int:
    """The fiscal year this materialisation is for."""
    return int(context.partition_key)
