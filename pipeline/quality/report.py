"""The HTML validation report of one run: what was checked, what passed, what failed."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import duckdb

from pipeline.warehouse.connection import fetch_rows

_STYLE = """
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
.fail { background: #fde8e8; } .warn { background: #fff6dd; } .pass { background: #eaf7ea; }
pre { white-space: pre-wrap; margin: 0; font-size: 85%; }
"""


def report_path(marts_dir: Path, fiscal_year: int, run_id: str) -> Path:
    """Where one run's validation report lives."""
    return marts_dir / "reports" / str(fiscal_year) / f"validation-{run_id}.html"


def _status(blocking: bool, passed: bool) -> tuple[str, str]:
    if passed:
        return "pass", "合格"
    return ("fail", "不合格（公表停止）") if blocking else ("warn", "警告")


def render(fiscal_year: int, run_id: str, rows: list[tuple]) -> str:
    """The report page, in Japanese, with each check's summary and details."""
    blocked = any(blocking and not passed for _, _, blocking, passed, *_ in rows)
    verdict = "公表を停止しました（ブロッキング検査の不合格）" if blocked else "ブロッキング検査はすべて合格"
    body = []
    for asset, check, blocking, passed, summary, details, checked_at in rows:
        css, label = _status(blocking, passed)
        pretty = json.dumps(json.loads(details), ensure_ascii=False, indent=1) if details else ""
        body.append(
            f"<tr class='{css}'><td>{label}</td><td>{html.escape(asset)}</td>"
            f"<td>{html.escape(check)}</td><td>{'はい' if blocking else 'いいえ'}</td>"
            f"<td>{html.escape(summary)}</td><td><pre>{html.escape(pretty[:4000])}</pre></td>"
            f"<td>{checked_at:%Y-%m-%d %H:%M:%S}</td></tr>"
        )
    return (
        "<!doctype html><html lang='ja'><head><meta charset='utf-8'>"
        f"<title>検証レポート {fiscal_year} — {html.escape(run_id)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>データ品質検証レポート（{fiscal_year}年度）</h1>"
        f"<p>実行ID: {html.escape(run_id)}<br>検査数: {len(rows)}<br><strong>{verdict}</strong></p>"
        "<table><tr><th>結果</th><th>アセット</th><th>検査</th><th>ブロッキング</th>"
        "<th>概要</th><th>詳細（期待値・観測値・例）</th><th>検査時刻 (UTC)</th></tr>"
        + "".join(body)
        + "</table></body></html>\n"
    )


def write_report(con: duckdb.DuckDBPyConnection, marts_dir: Path, fiscal_year: int, run_id: str) -> Path:
    """Rewrite the run's report with every outcome recorded so far (atomically)."""
    rows = fetch_rows(con, "run_check_results", fiscal_year=fiscal_year, run_id=run_id)
    path = report_path(marts_dir, fiscal_year, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    pending = path.with_suffix(".tmp")
    pending.write_text(render(fiscal_year, run_id, rows), encoding="utf-8")
    os.replace(pending, path)
    return path
