"""The prefecture KPI baselines: what a prefecture sets its plan's targets and stage gates against."""

import dagster as dg

from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import report, yen
from pipeline.warehouse.connection import Warehouse, fetch_rows, replace_partition, transaction
from pipeline.warehouse.versions import PARENTS, code_version, record_version


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="indicators",
    kinds={"duckdb"},
    deps=PARENTS["prefecture_kpis"],
    code_version=code_version("prefecture_kpis"),
)
def prefecture_kpis(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """KPI baselines per prefecture: 域内取引額 (transactions between two of its firms),
    域外販売額 (its firms' sales to other prefectures' firms), exports, and its candidates with
    their sales and employees; with the change from the previous fiscal year where the
    warehouse holds one. The baseline a prefecture sets KPI targets and stage gates against."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        with transaction(con):
            rows = replace_partition(con, "prefecture_kpis", "prefecture_kpis", fiscal_year)
            version = record_version(con, fiscal_year, "prefecture_kpis")
        total = fetch_rows(con, "kpi_totals", fiscal_year=fiscal_year)[0]
    inside, outside, exports, previous = total
    report(context, f"{'prefecture_kpis':<20} 域内取引額 {yen(inside)}, 域外販売額 {yen(outside)}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "dagster/table_name": "prefecture_kpis",
            "域内取引額 (all prefectures)": dg.MetadataValue.text(yen(inside)),
            "域外販売額 (all prefectures)": dg.MetadataValue.text(yen(outside)),
            "exports (all prefectures)": dg.MetadataValue.text(yen(exports)),
            "compared with": previous or "no previous fiscal year in the warehouse",
        },
        data_version=version,
    )
