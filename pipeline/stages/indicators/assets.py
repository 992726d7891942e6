"""Policy indicators beyond the two degrees: legal size classes, the plans'
requirement indicators and block-level degrees (the composite score: composite.py)."""

import dagster as dg

from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import markdown_table, report, yen
from pipeline.warehouse.connection import Warehouse, fetch_rows, replace_partition, sql_for_year, transaction
from pipeline.warehouse.versions import PARENTS, code_version, record_version, record_versions


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="indicators",
    kinds={"duckdb"},
    deps=PARENTS["firm_size_classes"],
    code_version=code_version("firm_size_classes"),
)
def firm_size_classes(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Each staged firm's legal size class: 小規模企業者, 中小企業者 (中小企業基本法 and its
    cabinet-order exceptions), 中堅企業 (≤ 2,000 employees, not 中小) or 大企業, from its JSIC
    division, optional jsic_major (中分類), employees and optional capital_jpy. Where the data
    cannot decide, 'unknown' and the reason; never a guess."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        with transaction(con):
            rows = replace_partition(con, "firm_size_classes", "firm_size_classes", fiscal_year)
            version = record_version(con, fiscal_year, "firm_size_classes")
        by_class = fetch_rows(con, "size_classes_by_class", fiscal_year=fiscal_year)
    summary = ", ".join(f"{size_class} {firms:,}" for size_class, firms, _ in by_class)
    report(context, f"{'size classes':<20} {summary}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "dagster/table_name": "firm_size_classes",
            "firms by size class": dg.MetadataValue.md(
                markdown_table(("size class", "firms", "example reason for unknown"), by_class)
            ),
        },
        data_version=version,
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "firm_indicators",
            code_version=code_version("firm_indicators"),
            deps=PARENTS["firm_indicators"],
            group_name="indicators",
            kinds={"duckdb"},
            description="Per staged firm: in_prefecture_procurement_share, top_customer_share, "
            "customer_hhi, and its customers and suppliers inside and outside its prefecture.",
        ),
        dg.AssetSpec(
            "block_degrees",
            code_version=code_version("block_degrees"),
            deps=PARENTS["block_degrees"],
            group_name="indicators",
            kinds={"duckdb"},
            description="Per block of the 戦略産業クラスター検討体制 and firm of its prefectures: "
            "sales outside the block (with exports) and purchases inside it, each ÷ the block's "
            "total, ranked within the block. Fukui's firms are in 北陸 and in 近畿.",
        ),
    ],
    partitions_def=fiscal_year_partitions,
)
def firm_indicators(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The requirement indicators from firm_flows' aggregates; the block degrees from
    firm_flows plus the transactions that cross a prefecture line."""
    fiscal_year = fiscal_year_of(context)
    with warehouse.connect() as con:
        crossings = sql_for_year("block_crossings", fiscal_year)
        con.execute(f"create or replace temp table block_crossings as {crossings}")
        with transaction(con):
            indicators = replace_partition(con, "firm_indicators", "firm_indicators", fiscal_year)
            blocks = replace_partition(con, "block_degrees", "block_degrees", fiscal_year)
            versions = record_versions(con, fiscal_year, "firm_indicators", "block_degrees")
        per_block = fetch_rows(con, "block_summary", fiscal_year=fiscal_year)
    report(context, f"{'firm_indicators':<20} {indicators:,} firms; {blocks:,} firm-block rows")
    yield dg.MaterializeResult(
        asset_key="firm_indicators",
        metadata={"dagster/row_count": indicators, "dagster/table_name": "firm_indicators"},
        data_version=versions["firm_indicators"],
    )
    yield dg.MaterializeResult(
        asset_key="block_degrees",
        metadata={
            "dagster/row_count": blocks,
            "dagster/table_name": "block_degrees",
            "blocks": dg.MetadataValue.md(
                markdown_table(
                    ("block", "firms", "out-of-block sales", "in-block purchases"),
                    [(name, firms, yen(out), yen(inside)) for name, firms, out, inside in per_block],
                )
            ),
        },
        data_version=versions["block_degrees"],
    )
