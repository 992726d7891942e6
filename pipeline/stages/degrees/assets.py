"""Degrees: every staged firm's connector and hub degree, and its rank in its prefecture."""

import dagster as dg

from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import report
from pipeline.warehouse.connection import Warehouse, replace_partition, transaction
from pipeline.warehouse.versions import PARENTS, code_version, record_version


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="degrees",
    kinds={"duckdb"},
    deps=PARENTS["firm_degrees"],
    code_version=code_version("firm_degrees"),
)
def firm_degrees(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """connector_degree = the firm's out-of-prefecture sales ÷ its prefecture's total;
    hub_degree = its in-prefecture purchases ÷ its prefecture's total. Null where the
    denominator is 0. Ranks are SQL RANK() within the prefecture, highest first."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con, transaction(con):
        rows = replace_partition(con, "firm_degrees", "firm_degrees", fiscal_year)
        version = record_version(con, fiscal_year, "firm_degrees")
    report(context, f"{'firm_degrees':<20} {rows:,} firms with degrees")
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "dagster/table_name": "firm_degrees"}, data_version=version
    )
