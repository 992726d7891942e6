"""Charts: a connector × hub scatter per prefecture, drawn into the draft publication."""

import json
import os
from concurrent.futures import ProcessPoolExecutor

import dagster as dg
import numpy as np
from pydantic import Field, PrivateAttr

from pipeline.reference.prefectures import PREFECTURES
from pipeline.runtime.partitions import fiscal_year_of, fiscal_year_partitions
from pipeline.runtime.progress import report
from pipeline.runtime.release_folders import draft_folder_path
from pipeline.runtime.resources import DataFolders
from pipeline.stages.publication.drawing import PrefectureFirms, draw_in_parallel, drawing_workers, is_png
from pipeline.warehouse.connection import Warehouse, fetch_rows, run_sql, transaction
from pipeline.warehouse.versions import PARENTS, code_version, mark_checked, record_version


class ChartWorkers(dg.ConfigurableResource):
    """The processes that draw the charts, started as a run that draws them begins (Dagster sets
    up a run's resources before its first step): each spends about a second importing
    matplotlib, on the other core while the stages before the charts run."""

    workers: int = Field(default_factory=lambda: min(os.cpu_count() or 1, 4))
    _pool: ProcessPoolExecutor | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._pool = drawing_workers(self.workers) if self.workers > 1 else None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def pool(self) -> ProcessPoolExecutor | None:
        return self._pool


def _column(points: dict, name: str) -> np.ndarray:
    column = points[name]
    # Nulls arrive as a masked array; a null degree is drawn as "not placeable", like 0.
    return np.ma.filled(column, np.nan) if np.ma.isMaskedArray(column) else np.asarray(column)


@dg.asset(
    partitions_def=fiscal_year_partitions,
    group_name="publication",
    kinds={"png"},
    deps=PARENTS["prefecture_charts"],
    code_version=code_version("prefecture_charts"),
    check_specs=[
        dg.AssetCheckSpec(
            "every_prefecture_has_a_chart",
            asset="prefecture_charts",
            blocking=True,
            description="blocking: all 47 prefectures/<code>.png are whole PNG files",
        )
    ],
)
def prefecture_charts(
    context: dg.AssetExecutionContext, folders: DataFolders, warehouse: Warehouse, chart_workers: ChartWorkers
):
    """prefectures/<code>.png beside each prefecture's list: every firm's connector degree ×
    hub degree on log scales, candidates in red, the rule's two thresholds as dashed lines.
    Firms with a zero or null degree cannot sit on a log axis; each chart gives their count."""
    fiscal_year = fiscal_year_of(context)
    folder = draft_folder_path(folders.marts, fiscal_year, context.run.run_id) / "prefectures"
    with warehouse.connect() as con:
        points = run_sql(con, "chart_points", fiscal_year=fiscal_year).fetchnumpy()
        rule = json.loads(fetch_rows(con, "selection_rule", fiscal_year=fiscal_year)[0][0])
    codes = np.asarray(points["prefecture_code"], dtype=object)
    connector, hub = _column(points, "connector_degree"), _column(points, "hub_degree")
    candidate = np.asarray(np.ma.filled(points["is_candidate"], False), dtype=bool)
    thresholds = (rule["min_connector_degree"], rule["min_hub_degree"])
    firms = [
        PrefectureFirms(p.code, p.name, connector[start:end], hub[start:end], candidate[start:end])
        for p in PREFECTURES
        for start, end in [(np.searchsorted(codes, p.code, "left"), np.searchsorted(codes, p.code, "right"))]
    ]
    hidden = draw_in_parallel(
        firms, fiscal_year, thresholds, folder, chart_workers.workers, pool=chart_workers.pool
    )
    broken = [p.code for p in PREFECTURES if not is_png(folder / f"{p.code}.png")]
    with warehouse.connect() as con, transaction(con):
        version = record_version(con, fiscal_year, "prefecture_charts")
        if not broken:
            mark_checked(con, fiscal_year, "prefecture_charts")
    report(context, f"{'charts':<20} {len(PREFECTURES) - len(broken)} prefecture charts drawn")
    yield dg.MaterializeResult(
        metadata={
            "charts": len(PREFECTURES) - len(broken),
            "folder": dg.MetadataValue.path(str(folder)),
            "firms not drawn (degree 0 or null)": sum(hidden.values()),
        },
        data_version=version,
    )
    yield dg.AssetCheckResult(
        check_name="every_prefecture_has_a_chart",
        passed=not broken,
        metadata={"missing or broken": ", ".join(broken) or "none"},
    )
