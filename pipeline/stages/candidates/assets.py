"""Selection: the rule in force (contract §4) applied to every firm."""

import dagster as dg

from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import markdown_table, report
from pipeline.runtime.resources import RecordedRules
from pipeline.stages.register.load import NO_REGISTER, no_register_for
from pipeline.warehouse.connection import Warehouse, fetch_rows, replace_partition, run_sql, transaction
from pipeline.warehouse.versions import PARENTS, code_version, matched_register, record_version


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="selection",
    kinds={"duckdb"},
    deps=PARENTS["candidate_selection"],
    code_version=code_version("candidate_selection"),
)
def candidate_selection(
    context: dg.AssetExecutionContext, rules: RecordedRules, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Every firm with its size test, connector test, hub test, size class, composite score and
    rank, and whether it is a 重点支援企業候補. The rule is the year's rule in force, as recorded
    (`python -m pipeline rule show`); its defaults are contract §4. The rule may also exclude
    legal size classes (excluded_size_classes, e.g. 大企業) or pick the top N per prefecture by
    composite score instead of the degree thresholds (selection: composite_top_n), and set what
    the 国税庁 register does (register_policy)."""
    fiscal_year = fiscal_year_of(context)
    config = rules.rule_of(fiscal_year).selection
    with warehouse.connect() as con:
        if config.register_policy != "report" and matched_register(con, fiscal_year) in (None, NO_REGISTER):
            raise dg.Failure(description=no_register_for(fiscal_year, config.register_policy))
        with transaction(con):
            rows = replace_partition(
                con, "candidate_selection", "candidate_selection", fiscal_year, **config.sql_parameters()
            )
            con.execute("delete from selection_rules where fiscal_year = ?", [fiscal_year])
            run_sql(con, "record_selection_rule", fiscal_year=fiscal_year, rule=config.as_json())
            version = record_version(con, fiscal_year, "candidate_selection")
        per_prefecture = fetch_rows(con, "candidates_per_prefecture", fiscal_year=fiscal_year)
    candidates = sum(row[2] for row in per_prefecture)
    report(context, f"{'candidates':<20} {candidates:,} of {rows:,} firms; rule: {config.describe()}")
    table = markdown_table(("code", "prefecture", "candidates", "firms"), per_prefecture, right=2)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "dagster/table_name": "candidate_selection",
            "candidates": candidates,
            "rule": config.describe(),
            "rule (json)": dg.MetadataValue.json(config.model_dump()),
            "candidates per prefecture": dg.MetadataValue.md(table),
        },
        data_version=version,
    )
