"""Connector × hub scatter charts, one PNG per prefecture, drawn with matplotlib.

Both axes are logarithmic, so firms with a zero or null degree cannot be placed; the chart
says how many there are instead of hiding them silently.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WIDTH_PX, HEIGHT_PX, DPI = 960, 720, 120
DENSITY_ABOVE = 5_000  # more non-candidate firms than this are drawn as a density
PER_CHART_POINTS = 20_000  # a chart's fixed cost (title, legend, PNG), in points, for sharing out
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class PrefectureFirms:
    """The degrees of one prefecture's firms, as arrays (one entry per firm)."""

    code: str
    name: str
    connector: np.ndarray
    hub: np.ndarray
    candidate: np.ndarray


def _import_matplotlib() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import matplotlib_fontja  # noqa: F401


def drawing_workers(workers: int) -> ProcessPoolExecutor:
    """`workers` spawned processes (no fork of a process that holds DuckDB), each set to
    importing matplotlib now, about a second apiece, so that a run can start them well before
    its charts."""
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    for _ in range(workers):
        pool.submit(_import_matplotlib)
    return pool


def draw_all(
    prefectures: Iterable[PrefectureFirms], fiscal_year: int, thresholds: tuple[float, float], folder: Path
) -> dict[str, int]:
    """Draw `<folder>/<code>.png` for each prefecture; returns the firms left off each chart
    (a degree of 0 or null). One figure is redrawn with each prefecture's points, which is
    several times faster than building 47 figures."""
    _import_matplotlib()  # matplotlib_fontja registers IPAexGothic as the default font
    import matplotlib.pyplot as plt

    min_connector, min_hub = thresholds
    figure, axes = plt.subplots(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    # A fixed layout: tight_layout() would measure every label of every chart.
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.93)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(1e-6, 1)
    axes.set_ylim(1e-6, 1)
    (others,) = axes.plot([], [], "o", ms=2, alpha=0.35, color="#7f7f7f", mec="none")
    (candidates,) = axes.plot([], [], "o", ms=4, color="#d62728", mec="none", zorder=3)
    connector_line = axes.axvline(min_connector, color="#1f77b4", lw=1, ls="--")
    hub_line = axes.axhline(min_hub, color="#2ca02c", lw=1, ls="--")
    axes.set_xlabel("コネクター度（県外への販売額 ÷ 県計）")
    axes.set_ylabel("ハブ度（県内からの仕入額 ÷ 県計）")
    axes.grid(True, which="major", lw=0.3, alpha=0.5)
    hidden: dict[str, int] = {}
    try:
        for firms in prefectures:
            connector = np.nan_to_num(np.asarray(firms.connector, dtype=float), nan=0.0)
            hub = np.nan_to_num(np.asarray(firms.hub, dtype=float), nan=0.0)
            shown = (connector > 0) & (hub > 0)
            is_candidate = np.asarray(firms.candidate, dtype=bool) & shown
            is_other = shown & ~is_candidate
            _fit_limits(axes, connector[shown], hub[shown], thresholds)
            density = None
            if is_other.sum() > DENSITY_ABOVE:  # a cloud of points hides its own shape
                others.set_data([], [])
                density = axes.hexbin(
                    connector[is_other], hub[is_other], xscale="log", yscale="log", gridsize=90,
                    mincnt=1, bins="log", cmap="Greys", extent=_log_extent(axes), zorder=1,
                )  # fmt: skip
            else:
                others.set_data(connector[is_other], hub[is_other])
            candidates.set_data(connector[is_candidate], hub[is_candidate])
            hidden[firms.code] = int((~shown).sum())
            # At a fixed height: placing it automatically measures every tick label again.
            axes.set_title(f"{firms.name}（{firms.code}） {fiscal_year}年度 コネクター度 × ハブ度", y=1.0)
            axes.legend(
                [others, candidates, connector_line, hub_line],
                [
                    f"その他の企業 {int(is_other.sum()):,} 社" + ("（濃淡は密度）" if density else ""),
                    f"重点支援企業候補 {int(is_candidate.sum()):,} 社",
                    f"コネクター度の閾値 {min_connector:g}",
                    f"ハブ度の閾値 {min_hub:g}",
                ],
                loc="lower right",
                fontsize=8,
                title=f"次数が 0 か空で対数軸に描けない企業: {hidden[firms.code]:,} 社",
                title_fontsize=8,
            )
            figure.savefig(
                folder / f"{firms.code}.png",
                format="png",
                metadata={"Software": None},
                pil_kwargs={"compress_level": 3},
            )
            if density is not None:
                density.remove()
    finally:
        plt.close(figure)
    return hidden


def draw_in_parallel(
    prefectures: Sequence[PrefectureFirms],
    fiscal_year: int,
    thresholds: tuple[float, float],
    folder: Path,
    workers: int,
    pool: Executor | None = None,
) -> dict[str, int]:
    """draw_all in `workers` processes (matplotlib draws on one core): those of `pool`, else
    spawned for this call; the prefectures dealt out largest first to the least loaded; in this
    process when there is one worker. Each chart is drawn from its own points alone, so the
    files are the same either way."""
    if workers <= 1 or len(prefectures) < 2:
        return draw_all(prefectures, fiscal_year, thresholds, folder)
    shares: list[list[PrefectureFirms]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for firms in sorted(prefectures, key=lambda f: (-len(f.connector), f.code)):
        least = loads.index(min(loads))
        shares[least].append(firms)
        loads[least] += len(firms.connector) + PER_CHART_POINTS
    hidden: dict[str, int] = {}
    with ExitStack() as own:
        if pool is None:
            pool = own.enter_context(drawing_workers(workers))
        futures = [pool.submit(draw_all, share, fiscal_year, thresholds, folder) for share in shares if share]
        for future in futures:
            hidden.update(future.result())
    return {firms.code: hidden[firms.code] for firms in prefectures}


def _fit_limits(axes, x: np.ndarray, y: np.ndarray, thresholds: tuple[float, float]) -> None:
    """Axis limits that hold every point and both threshold lines (a zero threshold has no
    place on a log axis), with a margin; 10⁻⁶ to 1 when there is nothing to place."""
    for values, threshold, set_limits in (
        (x, thresholds[0], axes.set_xlim),
        (y, thresholds[1], axes.set_ylim),
    ):
        placed = np.append(values, threshold) if threshold > 0 else values
        low, high = (placed.min() / 2, min(placed.max() * 2, 2.0)) if placed.size else (1e-6, 1.0)
        set_limits(low, high)


def _log_extent(axes) -> tuple[float, float, float, float]:
    """The axes' limits as hexbin wants them on log axes: exponents of ten."""
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    return tuple(float(np.log10(v)) for v in (x0, x1, y0, y1))


def is_png(path: Path) -> bool:
    """Whether `path` is a whole PNG file (signature and closing IEND chunk)."""
    data = path.read_bytes() if path.exists() else b""
    return data.startswith(PNG_SIGNATURE) and data[-8:-4] == b"IEND"
