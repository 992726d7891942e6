"""Prefecture totals: the degrees' denominators, over every staged firm whatever its size."""

import dagster as dg

from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import report
from pipeline.warehouse.connection import Warehouse, fetch_rows, replace_partition, transaction
from pipeline.warehouse.versions import PARENTS, code_version, record_version


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="degrees",
    kinds={"duckdb"},
    deps=PARENTS["prefecture_totals"],
    code_version=code_version("prefecture_totals"),
)
def prefecture_totals(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """For each of the 47 prefectures: firms, sales, exports, Σ out-of-prefecture sales
    (the connector denominator) and Σ in-prefecture purchases (the hub denominator)."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        with transaction(con):
            rows = replace_partition(con, "prefecture_totals", "prefecture_totals", fiscal_year)
            version = record_version(con, fiscal_year, "prefecture_totals")
        zero = fetch_rows(con, "zero_denominators", fiscal_year=fiscal_year)
    zero_text = ", ".join(f"{code} {name} ({which})" for code, name, which in zero) or "none"
    report(context, f"{'prefectures':<20} {rows} prefectures, {len(zero)} with a zero denominator")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "dagster/table_name": "prefecture_totals",
            "prefectures with a zero denominator": zero_text,
        },
        data_version=version,
    )
