"""The composite score of the 地域未来牽引企業 method: six indicators per firm, ranked
within the prefecture and turned into T-scores (偏差値). The rule's weights combine them in the
selection, so that changing a weight recomputes only the selection."""

import dagster as dg

from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import markdown_table, report
from pipeline.warehouse.connection import Warehouse, fetch_rows, replace_partition, sql_for_year, transaction
from pipeline.warehouse.versions import PARENTS, code_version, record_version


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="indicators",
    kinds={"duckdb"},
    deps=PARENTS["composite_indicators"],
    code_version=code_version("composite_indicators"),
)
def composite_indicators(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Per staged firm: connector and hub degree, profit and employment contribution (3-year
    means of operating_profit_jpy_y0..y2 and employees_y0..y2), profit and employment growth
    (geometric mean over the 3 years), each ranked within the prefecture (ties share the average
    rank) and turned into a T-score of the rank. A firm missing an input has no T-scores and a
    stated composite_reason, never a 0."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        con.execute(sql_for_year("composite_degrees", fiscal_year))
        with transaction(con):
            rows = replace_partition(con, "composite_indicators", "composite_indicators", fiscal_year)
            version = record_version(con, fiscal_year, "composite_indicators")
        outcomes = fetch_rows(con, "composite_summary", fiscal_year=fiscal_year)
    scored = next((firms for outcome, firms in outcomes if outcome == "scored"), 0)
    report(context, f"{'composite':<20} {scored:,} of {rows:,} firms scored")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "dagster/table_name": "composite_indicators",
            "firms scored": scored,
            "firms by outcome": dg.MetadataValue.md(markdown_table(("outcome", "firms"), outcomes, right=1)),
        },
        data_version=version,
    )
