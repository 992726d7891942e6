"""The assessment for people (Japanese text) and as JSON."""

from __future__ import annotations

import json
from typing import Any

from pipeline.commands.assess.assessment import COMPARED
from pipeline.commands.explain import degree_text, firm_label, yen_text

DIRECTION_NAMES = {"sale": "販売（sale）", "purchase": "仕入（purchase）"}


LISTED = 20  # counterparties listed per group in the summary; the JSON has them all


def _rank(value: Any) -> str:
    return "—" if value is None else f"{value:,} 位"


def _yes_no(value: Any) -> str:
    if value is None:
        return "未判定（not decided here）"
    return "はい（yes）" if value else "いいえ（no）"


def _figure(key: str, value: Any) -> str:
    if key == "composite_score":
        return "—" if value is None else f"{value:.2f}"
    if key.endswith("_jpy"):
        return yen_text(value)
    if key.endswith("_degree"):
        return degree_text(value)
    if key.endswith("_rank"):
        return _rank(value)
    return _yes_no(value)


def _number(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "、".join(value) or "なし（none）"
    if isinstance(value, bool | str):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.6g}"


def _verdict_text(assessment: dict[str, Any]) -> str:
    decision = assessment["verdict"]
    was = (
        "ベンダーデータでは候補です（a candidate on the vendor data）"
        if assessment["before"]["is_candidate"]
        else "ベンダーデータでは候補ではありません（not a candidate on the vendor data）"
    )
    if decision["is_candidate"] is True:
        now = "証憑を反映すると選定ルールを満たします（meets the rule with the evidence）"
    elif decision["is_candidate"] is False:
        now = "証憑を反映しても選定ルールを満たしません（does not meet the rule with the evidence）"
    else:
        now = "候補かどうかを判定できません（candidacy not decided）"

    return f"判定（verdict）: {now}。{was}。"


def _counterparty_line(row: dict[str, Any], group: str) -> str:
    if group == "evidence_only":
        amount = yen_text(row["evidence_amount_jpy"])
    elif group == "vendor_only":
        amount = yen_text(row["vendor_amount_jpy"])
    else:
        amount = f"{yen_text(row['vendor_amount_jpy'])} → {yen_text(row['evidence_amount_jpy'])}"
    where = f"  [証憑 行 {row['line']}]" if row["line"] is not None else ""
    who = firm_label(row["corporate_number"], row.get("vendor_code"))
    return (
        f"- {DIRECTION_NAMES[row['direction']]} {who} {row['name'] or ''}"
        f"（{row['prefecture_code']}） {amount}{where}"
    )


def render_text(assessment: dict[str, Any]) -> str:
    """The assessment as a summary a person reads (Markdown: printed, and saved as the .md file)."""
    firm, before, after = assessment["firm"], assessment["before"], assessment["after"]
    decision = assessment["verdict"]
    others_changed = assessment["other_firms_with_changed_in_prefecture_purchases"]
    year = assessment["fiscal_year"]
    who = firm_label(assessment["corporate_number"], assessment.get("vendor_code"))
    if assessment["corporate_number"] is None:
        who += f"、{firm['legal_form']}"
    evidence, publication = assessment["evidence"], assessment["publication"]
    lines = [
        f"# 推薦評価（nomination assessment）: {firm['name']}（{who}、{year}年度）",
        "",
        _verdict_text(assessment),
        "",
        f"- 本社所在地（head office, firm register）: {firm['prefecture_code']} {firm['prefecture_name']}"
        f"    産業（JSIC）: {firm['jsic_division']}    規模区分（size class）: {firm['size_class'] or '—'}",
        f"- 売上高（sales）{yen_text(firm['sales_jpy'])}、従業員（employees）{firm['employees']:,} 人、"
        f"輸出（exports, unchanged）{yen_text(firm['export_sales_jpy'])}",
        f"- 証憑（evidence）: {evidence['path']}（{evidence['rows']:,} 行、{evidence['encoding']}、"
        f"SHA-256 {evidence['sha256']}）",
        f"- 公表（publication）: run_id {publication['run_id']}、{publication['manifest']}"
        f"（SHA-256 {publication['manifest_sha256']}）",
        f"- 評価日時（assessed at, UTC）: {assessment.get('assessed_at', '—')}、"
        f"実行者（by）: {assessment.get('assessed_by', '—')}",
        "",
        "## ベンダーデータとの比較（vendor data → with the evidence）",
        "",
        "| 項目（item） | ベンダーデータ（before） | 証憑反映後（after） |",
        "|---|---:|---:|",
    ]
    for key, label in COMPARED:
        lines.append(f"| {label} | {_figure(key, before.get(key))} | {_figure(key, after.get(key))} |")
    lines += [
        "",
        f"{firm['prefecture_name']}の登録企業 {after['prefecture_firms']:,} 社で再計算しました。"
        f"この企業との取引の置き換えで、ほかに {others_changed:,} 社の"
        "県内調達額（in-prefecture purchases）が変わり、ハブ度の分母に反映されています。",
        "",
        "## 選定ルール（rule: size and size class and "
        + ("composite top N）" if decision["selection"] == "composite_top_n" else "(connector or hub)）"),
        "",
    ]
    for part in decision["tests"]:
        mark = "合格 PASS" if part["passed"] else "不合格 FAIL"
        lines.append(f"- {part['test']} {_number(part['threshold'])}: {_number(part['value'])} → {mark}")
    if decision["note"]:
        lines.append(f"- {decision['note']}")
    removed, added = assessment["vendor_rows_removed"], assessment["evidence_rows_added"]
    lines += ["", "## 置き換えた取引（transactions replaced）", ""]
    for title, totals in (
        ("ベンダーデータから除いた行（vendor rows removed）", removed),
        ("証憑から加えた行（evidence rows added）", added),
    ):
        parts = [
            f"{DIRECTION_NAMES[d]} {totals[d]['rows']:,} 件 {yen_text(totals[d]['amount_jpy'])}"
            for d in totals
        ]
        lines.append(f"- {title}: {'、'.join(parts)}")
    counterparties = assessment["counterparties"]
    lines += ["", "## 取引先の違い（counterparties）", ""]
    for group, title in (
        ("evidence_only", "証憑のみ（in the evidence, not in the vendor data）"),
        ("vendor_only", "ベンダーデータのみ（in the vendor data, not in the evidence）"),
        ("amount_changed", "金額が異なる（different amounts: vendor → evidence）"),
    ):
        rows = counterparties[group]
        lines.append(f"{title}: {len(rows):,} 社")
        lines += [_counterparty_line(row, group) for row in rows[:LISTED]]
        if len(rows) > LISTED:
            lines.append(f"- …ほか {len(rows) - LISTED:,} 社（JSON に全件: all in the JSON）")
    lines.append(f"同じ金額（same amount）: {counterparties['unchanged']:,} 社")
    lines += ["", "## 企業名簿にない取引先（not in the firm register: not a staged firm of the year）", ""]
    lines += [
        f"- 証憑 行 {c['line']}: {DIRECTION_NAMES[c['direction']]} {c['corporate_number']} {c['name'] or ''}"
        f"（証憑の所在地 {c['prefecture_code']}） {yen_text(c['amount_jpy'])} — この企業の数値にだけ算入"
        for c in assessment["not_in_register"]
    ] or ["- なし（none）"]
    lines += ["", "## 警告（warnings）", ""]
    lines += [f"- {w}" for w in assessment["warnings"]] or ["- なし（none）"]
    lines += ["", "## 注記（notes）", ""]
    lines += [f"- {note}" for note in assessment["notes"]]
    if "files" in assessment:
        lines += ["", "## ファイル（files）", ""]
        lines += [f"- {assessment['files']['json']}", f"- {assessment['files']['markdown']}"]
    return "\n".join(lines)


def to_json(assessment: dict[str, Any]) -> str:
    """The assessment as JSON: keys sorted, Japanese kept."""
    return json.dumps(assessment, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
