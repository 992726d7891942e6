"""Flows: each staged firm's out-of-prefecture sales and in-prefecture purchases (contract §3)."""

import dagster as dg
import duckdb

from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import report, yen
from pipeline.warehouse.connection import (
    Warehouse,
    fetch_rows,
    partition_total,
    replace_partition,
    transaction,
)
from pipeline.warehouse.versions import PARENTS, code_version, record_version

BIGINT_MAX = 2**63 - 1


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
        try:
            with transaction(con):
                rows = replace_partition(con, "firm_flows", "firm_flows", fiscal_year)
                version = record_version(con, fiscal_year, "firm_flows")
        except duckdb.ConversionException:  # a sum beyond BIGINT: say which firm, not INT128→INT64
            overflows = fetch_rows(con, "flow_overflows", fiscal_year=fiscal_year)
            if not overflows:
                raise
            raise dg.Failure(description=_overflow_message(overflows)) from None
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


def _overflow_message(firms: list[tuple]) -> str:
    named = "; ".join(
        f"{number} ({name}): {flow} {yen(total)} from {rows:,} transactions"
        for number, name, flow, total, rows in firms
    )
    return (
        f"the flows of a firm exceed the largest yen figure the pipeline holds, {yen(BIGINT_MAX)}: {named}; "
        "check amount_jpy of those transactions"
    )
