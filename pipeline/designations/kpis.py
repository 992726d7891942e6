"""KPIs and stage gates (EBPM) of a plan: for every fiscal year in the warehouse, its designated
firms' 域内取引額, 売上額, 雇用 and average wage (賃上げ), against the plan's baseline year (the
year it was verified on) and its targets, with a verdict at each target year.

DuckDB computes (sql/designations/kpi_years.sql, kpi_report.sql) over the warehouse's staged
firms and transactions, opened read-only. Designated firms are matched by firm id and their
transactions by firm key, so a 個人 (no 法人番号) counts like every other firm. Each 一覧 version
carries `plans/<plan_id>/kpis.csv` and `kpis.png` for the plans it is made from.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.designations.store import PlanStore, Revision, StoreError
from pipeline.runtime.release_folders import copy_bom_csv
from pipeline.settings import Paths
from pipeline.warehouse.connection import fetch_records, sql_text


class KpiError(Exception):
    """The KPIs cannot be computed (no warehouse, a run holds it, no such plan)."""


def kpi_revision(store: PlanStore, plan_id: str, revision: int | None = None) -> Revision:
    """The given revision, else the latest approved one, else the latest."""
    try:
        if revision is not None:
            return store.revision(plan_id, revision)
        approved = [r for r in store.approved_revisions() if r.plan_id == plan_id]
        return approved[-1] if approved else store.revision(plan_id)
    except StoreError as e:
        raise KpiError(str(e)) from None


def designated_firm_ids(store: PlanStore, revision: Revision) -> list[str]:
    """The firms the revision designates, verified and not left out by the approval, by firm id:
    the 法人番号, or for a 個人 'vendor:' and its vendor code (the warehouse's firm_id)."""
    return [
        d.firm_id
        for d in store.designations(revision.plan_id, revision.revision)
        if d.passed and d.firm_id not in revision.excluded
    ]


def _load(con: duckdb.DuckDBPyConnection, revision: Revision, firm_ids: list[str]) -> None:
    con.register("designated_firms", pa.table({"firm_id": pa.array(sorted(set(firm_ids)), pa.string())}))
    targets = revision.kpi_targets
    con.register("targets", pa.table({
        "name": pa.array([t["name"] for t in targets], pa.string()),
        "target": pa.array([float(t["target"]) for t in targets], pa.float64()),
        "year": pa.array([int(t["year"]) for t in targets], pa.int32()),
    }))  # fmt: skip
    years = con.sql(sql_text("designations/kpi_years"), params={"prefecture_code": revision.prefecture_code})
    con.register("kpi_years", years.to_arrow_table())


def compute(paths: Paths, store: PlanStore, revision: Revision) -> dict:
    """The plan's KPI figures per year and the report against its baseline and targets."""
    if not paths.duckdb_path.is_file():
        raise KpiError(f"no warehouse at {paths.duckdb_path}; run `python -m pipeline run` first")
    try:
        con = duckdb.connect(str(paths.duckdb_path), read_only=True)
    except duckdb.IOException as e:
        raise KpiError(
            f"cannot read the warehouse (is a run in progress?): {str(e).splitlines()[0]}"
        ) from None
    with con:
        _load(con, revision, designated_firm_ids(store, revision))
        years = fetch_records(con, "designations/kpi_report_years")
        report = fetch_records(con, "designations/kpi_report", baseline_year=revision.reference_year)
    return {
        "plan_id": revision.plan_id,
        "revision": revision.revision,
        "status": revision.status,
        "prefecture_code": revision.prefecture_code,
        "title": revision.title,
        "baseline_year": revision.reference_year,
        "targets": revision.kpi_targets,
        "years": years,
        "report": report,
    }


def write_csv(kpis: dict, path: Path) -> None:
    """kpis.csv (UTF-8 BOM): the report, one row per KPI and fiscal year."""
    with duckdb.connect() as con:
        con.register(
            "report", pa.Table.from_pylist(kpis["report"]) if kpis["report"] else pa.table({"kpi": []})
        )
        copy_bom_csv(con, "select * from report", path)


def write_plan_kpis(
    paths: Paths, folder: Path, revisions: list[Revision], store: PlanStore | None = None
) -> None:
    """plans/<plan_id>/kpis.csv and kpis.png in a 一覧 version's draft, for each plan in it."""
    from pipeline.designations.kpi_chart import draw

    store = store or PlanStore()
    for revision in revisions:
        kpis = compute(paths, store, revision)
        target = folder / "plans" / revision.plan_id
        target.mkdir(parents=True, exist_ok=True)
        write_csv(kpis, target / "kpis.csv")
        draw(kpis, target / "kpis.png")


def render(kpis: dict) -> str:
    lines = [
        f"plan {kpis['plan_id']} revision {kpis['revision']} ({kpis['status']}) — {kpis['title']}",
        f"  baseline fiscal year {kpis['baseline_year']}",
    ]
    lines.append("  fiscal year  firms  域内取引額(円)  売上額(円)  雇用(人)  平均賃金(円)")
    for y in kpis["years"]:
        lines.append(
            f"  {y['fiscal_year']}  {y['firms_found']}/{y['designated_firms']}  "
            f"{_n(y['in_region_transactions_jpy'])}  {_n(y['sales_jpy'])}  "
            f"{_n(y['employees'])}  {_n(y['average_wage_jpy'])}"
        )
    for row in kpis["report"]:
        if row["target"] is not None:
            unit = "%" if row["kpi"] == "賃上げ" else ""
            target = f"{row['target']:g}" if unit else f"{row['target']:,.0f}"
            line = f"  target {row['kpi']} {target}{unit} in {row['target_year']}: "
            line += row["verdict"]
            if row["value"] is not None:
                line += f" (is {_n(row['value'])}, change {_n(row['change_from_baseline'])}{unit})"
            lines.append(line)
    return "\n".join(lines)


def _n(value) -> str:
    if value is None:
        return "—"
    return (
        f"{value:,.2f}" if isinstance(value, float) and not float(value).is_integer() else f"{int(value):,}"
    )
