"""Flows: each staged firm's out-of-prefecture sales and in-prefecture purchases (contract §3)."""

import dagster as dg

from pipeline.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.progress import report, yen
from pipeline.versions import PARENTS, code_version, record_version
from pipeline.warehouse import Warehouse, partition_total, replace_partition, transaction


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="degrees",
    kinds={"duckdb"},
    deps=PARENTS["firm_flows"],
    code_version=code_version("firm_flows"),
)
def firm_flows(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Per staged firm: out_of_prefecture_sales_jpy (sales to customers in other
    prefectures plus export_sales_jpy) and in_prefecture_purchases_jpy (purchases
    from suppliers in its own prefecture). A firm without transactions has zeros."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        with transaction(con):
            rows = replace_partition(con, "firm_flows", "firm_flows", fiscal_year)
            version = record_version(con, fiscal_year, "firm_flows")
        out_sales = partition_total(con, "firm_flows", "out_of_prefecture_sales_jpy", fiscal_year)
        in_purchases = partition_total(con, "firm_flows", "in_prefecture_purchases_jpy", fiscal_year)
        exports = partition_total(con, "firm_flows", "export_sales_jpy", fiscal_year)
    report(
        context,
        f"{'firm_flows':<20} {rows:,} firms, out-of-prefecture sales {yen(out_sales)}, "
        f"in-prefecture purchases {yen(in_purchases)}",
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "dagster/table_name": "firm_flows",
            "out-of-prefecture sales (incl. exports)": yen(out_sales),
            "in-prefecture purchases": yen(in_purchases),
            "exports": yen(exports),
        },
        data_version=version,
    )
