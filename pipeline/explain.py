"""`python -m pipeline explain`: why a firm is, or is not, a candidate.

Everything comes from the warehouse of the last run: the firm's input row, its flows,
its prefecture's denominators, its degrees and ranks, each part of the rule in force,
and the transactions that contribute most to each degree.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import duckdb

from pipeline.corporate_number import is_valid
from pipeline.warehouse import fetch_records, run_sql

TOP = 5


def normalise_corporate_number(text: str) -> str:
    """Full-width digits and surrounding spaces are forgiven, as in the input files."""
    return unicodedata.normalize("NFKC", text).strip()


def _records(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    return fetch_records(con, f"explain/{name}", **params)


def threshold_test(name: str, value: Any, threshold: Any) -> dict[str, Any]:
    """One part of the rule: value ≥ threshold; a null value passes nothing."""
    passed = value is not None and value >= threshold
    return {"test": name, "value": value, "threshold": threshold, "passed": passed}


def _rule_parts(firm: dict[str, Any], rule: dict[str, Any]) -> list[dict[str, Any]]:
    part = threshold_test
    size = [
        part("sales_jpy ≥", firm["sales_jpy"], rule["min_sales_jpy"]),
        part("employees ≥", firm["employees"], rule["min_employees"]),
    ]
    if rule.get("selection") == "composite_top_n":
        # Issue 8: the place among the size-passing firms is what the rule tests.
        top_n = rule["top_n_per_prefecture"]
        return size + [
            {
                "test": "composite top N ≤",
                "value": firm["composite_rank"],
                "threshold": top_n,
                "passed": bool(firm["meets_composite"]),
            }
        ]
    return size + [
        part("connector_degree ≥", firm["connector_degree"], rule["min_connector_degree"]),
        part("hub_degree ≥", firm["hub_degree"], rule["min_hub_degree"]),
    ]


def explain(con: duckdb.DuckDBPyConnection, corporate_number: str, fiscal_year: int | None) -> dict[str, Any]:
    """Everything that decided the firm's place on (or off) the year's list."""
    number = normalise_corporate_number(corporate_number)
    if not is_valid(number):
        raise ValueError(
            f"{corporate_number!r} is not a valid 法人番号 (13 digits with a correct check digit)"
        )
    if fiscal_year is None:
        years = [r["fiscal_year"] for r in _records(con, "years_of_firm", corporate_number=number)]
        if not years:
            return {"corporate_number": number, "status": "absent", "fiscal_year": None}
        fiscal_year = years[0]
    answer: dict[str, Any] = {"corporate_number": number, "fiscal_year": fiscal_year}
    firms = _records(con, "firm", fiscal_year=fiscal_year, corporate_number=number)
    if not firms:
        quarantined = _records(con, "quarantined_firm", fiscal_year=fiscal_year, corporate_number=number)
        answer["status"] = "quarantined" if quarantined else "absent"
        answer["quarantine"] = quarantined
        return answer
    firm = firms[0]
    rule = json.loads(run_sql(con, "selection_rule", fiscal_year=fiscal_year).fetchone()[0])
    answer.update(
        status="candidate" if firm["is_candidate"] else "not_candidate",
        firm=firm,
        prefecture=_records(
            con, "prefecture", fiscal_year=fiscal_year, prefecture_code=firm["prefecture_code"]
        )[0],
        rule=rule,
        rule_parts=_rule_parts(firm, rule),
        largest_out_of_prefecture_sales=_records(
            con, "largest_out_of_prefecture_sales", fiscal_year=fiscal_year, corporate_number=number, top=TOP
        ),
        largest_in_prefecture_purchases=_records(
            con, "largest_in_prefecture_purchases", fiscal_year=fiscal_year, corporate_number=number, top=TOP
        ),
    )
    return answer


def yen_text(value: Any) -> str:
    """Yen for people; — where there is none."""
    return "—" if value is None else f"¥{int(value):,}"


def _number(value: Any) -> str:
    if value is None:
        return "null"
    return f"{value:,}" if isinstance(value, int) else f"{value:.6g}"


def degree_text(value: Any) -> str:
    """A degree for people; null where the prefecture's denominator is 0."""
    return "null（分母が0）" if value is None else f"{value:.6f}"


def _composite(firm: dict[str, Any]) -> str:
    if firm["composite_score"] is None:
        return f"なし（{firm['composite_reason']}）"
    top = "、上位N内" if firm["meets_composite"] else ""
    return f"{firm['composite_score']:.2f}（県内 {firm['composite_rank']} 位{top}）"


def render_text(answer: dict[str, Any]) -> str:
    """The explanation as lines a person reads."""
    number, year = answer["corporate_number"], answer["fiscal_year"]
    if answer["status"] == "absent":
        where = f"{year}年度のデータ" if year else "どの年度のデータ"
        return f"法人番号 {number}: {where}にもありません（not in the data）。"
    if answer["status"] == "quarantined":
        lines = [f"法人番号 {number}（{year}年度）: 入力行が検疫され、候補の判定対象外です（quarantined）。"]
        lines += [
            f"  {q['source_file']} 行 {q['row_number']}: {q['reason']}  raw={q['raw']}"
            for q in answer["quarantine"]
        ]
        return "\n".join(lines)
    firm, pref = answer["firm"], answer["prefecture"]
    verdict = (
        "重点支援企業候補です（candidate）"
        if firm["is_candidate"]
        else "候補ではありません（not a candidate）"
    )
    lines = [
        f"{firm['name']}（法人番号 {number}、{year}年度）: {verdict}",
        f"  本社所在地: {firm['prefecture_code']} {firm['prefecture_name']}    産業: {firm['jsic_division']}",
        f"  入力: {firm['source_file']} 行 {firm['row_number']}",
        f"  売上高 {yen_text(firm['sales_jpy'])}、従業員 {firm['employees']:,} 人、"
        f"輸出 {yen_text(firm['export_sales_jpy'])}",
        f"  県外販売額 {yen_text(firm['out_of_prefecture_sales_jpy'])}"
        f"（企業間販売 {yen_text(firm['sales_to_firms_jpy'])} のうち県外分 + 輸出）",
        f"  県内調達額 {yen_text(firm['in_prefecture_purchases_jpy'])}"
        f"（企業間仕入 {yen_text(firm['purchases_from_firms_jpy'])} のうち県内分）",
        f"  {pref['prefecture_name']}の分母: 県外販売額計 {yen_text(pref['out_of_prefecture_sales_jpy'])}、"
        f"県内調達額計 {yen_text(pref['in_prefecture_purchases_jpy'])}"
        f"（{pref['firms']:,} 社、候補 {pref['candidates']:,} 社）",
        f"  コネクター度 {degree_text(firm['connector_degree'])}（県内 {firm['connector_rank'] or '—'} 位）、"
        f"ハブ度 {degree_text(firm['hub_degree'])}（県内 {firm['hub_rank'] or '—'} 位）",
        f"  総合評価点 {_composite(firm)}",
        "  選定ルール（size and (connector or hub)）:"
        if answer["rule"].get("selection") != "composite_top_n"
        else "  選定ルール（size and composite top N）:",
    ]
    for part in answer["rule_parts"]:
        mark = "合格 PASS" if part["passed"] else "不合格 FAIL"
        value, threshold = _number(part["value"]), _number(part["threshold"])
        lines.append(f"    {part['test']} {threshold}: {value} → {mark}")
    for title, key in (
        ("県外販売の大きい取引", "largest_out_of_prefecture_sales"),
        ("県内調達の大きい取引", "largest_in_prefecture_purchases"),
    ):
        lines.append(f"  {title}（上位 {TOP}）:")
        rows = answer[key] or [None]
        for row in rows:
            if row is None:
                lines.append("    なし")
                continue
            counterparty = f"{row['counterparty']} {row['counterparty_name'] or ''}"
            lines.append(
                f"    {counterparty}（{row['counterparty_prefecture_code']}）"
                f" {yen_text(row['amount_jpy'])}{'（推計 estimated）' if row['amount_estimated'] else ''}"
                f"  [{row['source_file']} 行 {row['row_number']}]"
            )
    return "\n".join(lines)
