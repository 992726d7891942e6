"""A plan's KPI chart: one panel per KPI over the fiscal years, the baseline year marked and
each target drawn where it falls due (PNG, no timestamp inside)."""

from __future__ import annotations

from pathlib import Path

PANELS = (("域内取引額", "域内取引額（億円）", 1e8), ("売上額", "売上額（億円）", 1e8),
          ("雇用", "雇用（人）", 1), ("賃上げ", "平均賃金（万円）", 1e4))  # fmt: skip


def draw(kpis: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401  (registers IPAexGothic)

    figure, axes = plt.subplots(2, 2, figsize=(9.6, 7.2), dpi=100)
    try:
        figure.suptitle(f"{kpis['plan_id']} {kpis['title']}：KPI の推移（基準年度 {kpis['baseline_year']}）")
        for axis, (name, label, scale) in zip(axes.flat, PANELS, strict=True):
            rows = [r for r in kpis["report"] if r["kpi"] == name]
            shown = [r for r in rows if r["value"] is not None]
            axis.plot(
                [r["fiscal_year"] for r in shown], [r["value"] / scale for r in shown], "o-", color="#1f4e79"
            )
            for r in rows:
                if r["target"] is None:
                    continue
                # 賃上げ's target is a % over the baseline average: drawn as the wage it implies.
                if name == "賃上げ":
                    if r["baseline_value"] is None:
                        continue
                    level = r["baseline_value"] * (1 + r["target"] / 100)
                else:
                    level = r["target"]
                axis.plot([r["target_year"]], [level / scale], "x", ms=10, mew=2, color="#d62728")
                axis.annotate(f"目標 {r['verdict']}", (r["target_year"], level / scale), fontsize=8,
                              textcoords="offset points", xytext=(4, 4))  # fmt: skip
            axis.axvline(kpis["baseline_year"], color="#7f7f7f", lw=1, ls="--")
            axis.set_title(label, fontsize=10)
            axis.grid(True, lw=0.3, alpha=0.5)
            axis.xaxis.get_major_locator().set_params(integer=True)
        figure.subplots_adjust(left=0.08, right=0.97, bottom=0.07, top=0.9, hspace=0.35, wspace=0.25)
        figure.savefig(path, format="png", metadata={"Software": None})
    finally:
        plt.close(figure)
