"""`python -m pipeline explain`: why a firm is, or is not, a candidate.

`explain` reads the warehouse: the firm's input row, its flows, its prefecture's denominators,
its degrees and ranks, its size class, each part of the rule, the transactions that contribute
most to each degree (or all of them), and the quarantined rows that carry its number.
pipeline/explain_release.py decides which release is explained and whether the warehouse may
answer for it; `render_text` writes either answer for people.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

import duckdb

from pipeline.commands.rule_parts import displayed_parts, part_flags
from pipeline.reference.corporate_number import is_valid
from pipeline.warehouse.connection import fetch_records, run_sql

TOP = 5


def normalise_corporate_number(text: str) -> str:
    """Full-width digits and surrounding spaces are forgiven, as in the input files."""
    return unicodedata.normalize("NFKC", text).strip()


@dataclass(frozen=True)
class FirmAsked:
    """The firm a command asks about: by its 法人番号 (as typed, and normalised), or by the
    vendor's code, the only key a 個人 (sole proprietor) has."""

    text: str
    corporate_number: str | None = None
    vendor_code: str | None = None

    @classmethod
    def of(cls, asked: FirmAsked | str) -> FirmAsked:
        """A FirmAsked as it is, or a 法人番号 as typed."""
        if isinstance(asked, FirmAsked):
            return asked
        return cls(asked, corporate_number=normalise_corporate_number(asked))

    @classmethod
    def by_vendor_code(cls, code: str) -> FirmAsked:
        return cls(code, vendor_code=normalise_corporate_number(code))

    @classmethod
    def from_command_line(cls, corporate_number: str | None, vendor_code: str | None) -> FirmAsked | str:
        """A command's firm: its 法人番号 as typed, or --vendor-code; a ValueError, with the
        line to print, for both, neither or an empty code."""
        if (corporate_number is None) == (vendor_code is None):
            raise ValueError("give a 法人番号 or --vendor-code, not both")
        if vendor_code is None:
            return corporate_number
        if not normalise_corporate_number(vendor_code):
            raise ValueError("the vendor code is empty")
        return cls.by_vendor_code(vendor_code)

    @property
    def number_fault(self) -> str | None:
        """Why the 法人番号 asked for cannot be one (any vendor code is a possible one)."""
        if self.vendor_code is None and not is_valid(self.corporate_number or ""):
            return f"{self.text!r} is not a valid 法人番号 (13 digits with a correct check digit)"
        return None

    @property
    def firm_id(self) -> str:
        """staged_firms.firm_id of the firm, if it is staged under what was asked."""
        return self.corporate_number or f"vendor:{self.vendor_code}"

    def match(self) -> dict[str, Any]:
        """The parameters of the queries that find the firm and the quarantined rows naming it."""
        return {
            "number_text": self.text if self.vendor_code is None else None,
            "corporate_number": self.corporate_number,
            "vendor_code": self.vendor_code,
            "firm_id": self.firm_id,
        }

    def identity(self) -> dict[str, Any]:
        """What an answer says it was asked about."""
        return {"corporate_number": self.corporate_number, "vendor_code": self.vendor_code}


def _records(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    return fetch_records(con, f"explain/{name}", **params)


# The rule's outcome as the list carries it; explain shows these, never its own recomputation.
PUBLISHED_FLAGS = (
    "meets_size",
    "meets_size_class",
    "meets_register",
    "meets_connector",
    "meets_hub",
    "meets_composite",
)


def rule_parts_of(
    firm: dict[str, Any], rule: dict[str, Any], con: duckdb.DuckDBPyConnection | None = None
) -> list[dict[str, Any]]:
    """Each part of the rule with the firm's value and whether it passes: the published flags
    (meets_size, meets_connector, meets_hub, meets_composite), and each size threshold from the
    macros the selection used."""
    flags = {**part_flags(rule, firm, con), **{k: firm[k] for k in PUBLISHED_FLAGS if k in firm}}
    return displayed_parts(rule, firm, flags)


class CannotExplain(ValueError):
    """Nothing can be explained as asked: the message says why (exit 2 on the command line)."""


def refuse_invalid(asked: FirmAsked) -> None:
    """An invalid number that no quarantined row carries gets the check-digit message; any
    vendor code is a possible one."""
    if asked.number_fault:
        raise CannotExplain(asked.number_fault)


def outcome(
    asked: FirmAsked, fiscal_year: int, firms: list[dict[str, Any]], quarantined: list[dict[str, Any]]
) -> dict[str, Any]:
    """The firm's status in a year from its staged row (if any) and the quarantined rows that
    carry its number or code: firms rows in `quarantine`, transactions in `quarantined_transactions`."""
    if not firms and not quarantined:
        refuse_invalid(asked)
    firm_rows = [q for q in quarantined if q["kind"] == "firms"]
    if firms:
        status = "candidate" if firms[0]["is_candidate"] else "not_candidate"
    else:
        status = "quarantined" if quarantined else "absent"
    # The firm as staged: asked by code, a 法人 is still named by its number.
    found = {k: firms[0][k] for k in ("corporate_number", "vendor_code")} if firms else asked.identity()
    return {
        **found,
        "fiscal_year": fiscal_year,
        "status": status,
        "quarantine": firm_rows,
        "quarantined_transactions": [q for q in quarantined if q["kind"] == "transactions"],
    }


def explain(
    con: duckdb.DuckDBPyConnection,
    asked: FirmAsked | str,
    fiscal_year: int | None,
    all_transactions: bool = False,
) -> dict[str, Any]:
    """Everything in the warehouse that decided the firm's place on (or off) the year's list;
    `all_transactions` adds every transaction that counts for its degrees. `asked` is a
    法人番号 as typed, or a FirmAsked (by vendor code)."""
    asked = FirmAsked.of(asked)
    match = asked.match()
    if fiscal_year is None:
        years = [r["fiscal_year"] for r in _records(con, "years_of_firm", **match)]
        if not years:
            refuse_invalid(asked)
            return {**asked.identity(), "status": "absent", "fiscal_year": None}
        fiscal_year = years[0]
    firms = _records(
        con, "firm", fiscal_year=fiscal_year, firm_id=asked.firm_id, vendor_code=asked.vendor_code
    )
    quarantined = _records(con, "quarantined_rows", fiscal_year=fiscal_year, **match)
    answer = outcome(asked, fiscal_year, firms, quarantined)
    if not firms:
        return answer
    firm = firms[0]
    rule = json.loads(run_sql(con, "selection_rule", fiscal_year=fiscal_year).fetchone()[0])
    of_firm = {"fiscal_year": fiscal_year, "firm_key": firm["firm_key"]}
    answer.update(
        firm=firm,
        prefecture=_records(
            con, "prefecture", fiscal_year=fiscal_year, prefecture_code=firm["prefecture_code"]
        )[0],
        rule=rule,
        rule_parts=rule_parts_of(firm, rule, con),
        largest_out_of_prefecture_sales=_records(con, "largest_out_of_prefecture_sales", **of_firm, top=TOP),
        largest_in_prefecture_purchases=_records(con, "largest_in_prefecture_purchases", **of_firm, top=TOP),
        register=next(
            iter(
                _records(
                    con, "register_row", fiscal_year=fiscal_year, corporate_number=firm["corporate_number"]
                )
            ),
            None,
        ),
    )
    if all_transactions:
        answer["all_transactions"] = _records(con, "contributing_transactions", **of_firm)
    return answer


def yen_text(value: Any) -> str:
    """Yen for people; — where there is none."""
    return "—" if value is None else f"¥{int(value):,}"


def _number(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):  # a date (the register's test), shown as it is
        return value
    return f"{value:,}" if isinstance(value, int) else f"{value:.6g}"


def degree_text(value: Any) -> str:
    """A degree for people; null where the prefecture's denominator is 0."""
    return "null（分母が0）" if value is None else f"{value:.6f}"


def _composite(firm: dict[str, Any]) -> str:
    if firm["composite_score"] is None:
        return f"なし（{firm['composite_reason']}）"
    top = "、上位N内" if firm["meets_composite"] else ""
    return f"{firm['composite_score']:.2f}（県内 {firm['composite_rank']} 位{top}）"


SOURCES = {"warehouse": "ウェアハウス（このリリースと同じ状態）", "release_files": "リリースのファイル"}
DIRECTIONS = {"out_of_prefecture_sale": "県外販売", "in_prefecture_purchase": "県内調達"}


def _header(answer: dict[str, Any]) -> list[str]:
    """Which release answers, what it was made from, and where the detail comes from."""
    release = answer.get("release")
    if release is None:
        return []
    code = release["code"]
    state = (
        "公開中 live"
        if release["live"]
        else f"過去のリリース（{release['superseded_at'] or '—'} に置き換え）"
    )
    lines = [
        f"リリース {release['release_id']}（{release['fiscal_year']}年度、{state}）",
        f"  Dagster run {release['dagster_run_id']}",
        f"  manifest.json SHA-256 {release['manifest_sha256']}",
        *(f"  入力 {i['source_file']} SHA-256 {i['sha256']}" for i in release["inputs"]),
        f"  コード git {code['commit']}{'（dirty: 未コミットの変更あり）' if code['dirty'] else ''}",
        f"  詳細の出所（detail from）: {SOURCES[answer['detail_from']]}",
    ]
    if release["manifest_matches_registry"] is False:
        lines.append("  警告: manifest.json の SHA-256 がレジストリの記録と違います（manifest changed）")
    if answer["warehouse"]["note"]:
        lines.append(f"  注意: {answer['warehouse']['note']}")
    return lines


def _quarantine_lines(rows: list[dict[str, Any]], indent: str = "  ") -> list[str]:
    """Quarantined rows with their file line; a transaction's says which column carries the number."""
    return [
        f"{indent}{q['source_file']} 行 {q['row_number']}: {q['reason']}"
        f"{'' if q['kind'] == 'firms' else ' (' + ', '.join(q['columns']) + ')'}  raw={q['raw']}"
        for q in rows
    ]


def _firm_lines(firm: dict[str, Any], pref: dict[str, Any]) -> list[str]:
    """Who the firm is and its flows; what the release's files do not hold is left out."""
    lines = [
        f"  本社所在地: {firm['prefecture_code']} {firm['prefecture_name']}    産業: {firm['jsic_division']}"
    ]
    if firm.get("vendor_code") is not None:
        lines.append(
            f"  企業コード（データ提供元） {firm['vendor_code']}    法人・個人の別: {firm['legal_form']}"
        )
    if firm.get("source_file") is not None:
        lines.append(f"  入力: {firm['source_file']} 行 {firm['row_number']}")
    lines.append(f"  売上高 {yen_text(firm['sales_jpy'])}、従業員 {firm['employees']:,} 人")
    if "export_sales_jpy" in firm:
        lines[-1] += f"、輸出 {yen_text(firm['export_sales_jpy'])}"
        lines += [
            f"  県外販売額 {yen_text(firm['out_of_prefecture_sales_jpy'])}"
            f"（企業間販売 {yen_text(firm['sales_to_firms_jpy'])} のうち県外分 + 輸出）",
            f"  県内調達額 {yen_text(firm['in_prefecture_purchases_jpy'])}"
            f"（企業間仕入 {yen_text(firm['purchases_from_firms_jpy'])} のうち県内分）",
        ]
    else:
        lines.append(
            f"  県外販売額 {yen_text(firm['out_of_prefecture_sales_jpy'])}、"
            f"県内調達額 {yen_text(firm['in_prefecture_purchases_jpy'])}"
        )
    lines += [
        f"  {pref['prefecture_name']}の分母: 県外販売額計 {yen_text(pref['out_of_prefecture_sales_jpy'])}、"
        f"県内調達額計 {yen_text(pref['in_prefecture_purchases_jpy'])}"
        f"（{pref['firms']:,} 社、候補 {pref['candidates']:,} 社）",
        f"  コネクター度 {degree_text(firm['connector_degree'])}（県内 {firm['connector_rank'] or '—'} 位）、"
        f"ハブ度 {degree_text(firm['hub_degree'])}（県内 {firm['hub_rank'] or '—'} 位）",
        f"  総合評価点 {_composite(firm)}",
    ]
    return lines


REGISTER_STATUS = {
    "active": "登記あり（active）",
    "closed": "閉鎖（closed）",
    "deleted": "削除（99 削除: the number was withdrawn）",
    "not_found": "見つからない（not found）",
}


def register_lines(row: dict[str, Any] | None) -> list[str]:
    """The firm's row of the 国税庁 register, as reconciled for the year; nothing without one."""
    if row is None:
        return []
    status = REGISTER_STATUS.get(row["register_status"], row["register_status"])
    if row["close_date"] is not None:
        status += f" {row['close_date']}（{row['close_cause_name'] or '理由不明'}）"
        if row["closed_before_year_end"]:
            status += "、年度末より前"
    if row["successor_corporate_number"]:
        status += f"、承継法人 {row['successor_corporate_number']}"
    lines = [f"  国税庁 法人番号公表サイト（{row['register_date']} 時点）: {status}"]
    if row["register_status"] in ("active", "closed"):
        differs = {True: "（データ提供元と相違）", False: ""}
        lines.append(
            f"    商号 {row['register_name']}{differs[bool(row['name_differs'])]}、"
            f"本店 {row['register_prefecture_code']} {row['register_prefecture_name']}"
            f"{row['register_city_name'] or ''}{differs[bool(row['prefecture_differs'])]}"
        )
    return lines


def _size_class_line(firm: dict[str, Any], rule: dict[str, Any]) -> str:
    excluded = "、".join(rule.get("excluded_size_classes") or []) or "なし"
    mark = "合格 PASS" if firm["meets_size_class"] else "不合格 FAIL"
    reason = f"（{firm['size_class_reason']}）" if firm.get("size_class_reason") else ""
    return f"    size_class {firm['size_class']}{reason} 除外区分 {excluded}: meets_size_class → {mark}"


def firm_label(corporate_number: str | None, vendor_code: str | None) -> str:
    """A firm named for people: its 法人番号, or (a 個人 has none) its vendor code."""
    if corporate_number is None and vendor_code is not None:
        return f"企業コード {vendor_code}"
    return f"法人番号 {corporate_number}"


def _transaction_line(row: dict[str, Any]) -> str:
    who = row["counterparty"] or f"企業コード {row['counterparty_vendor_code']}"
    counterparty = f"{who} {row['counterparty_name'] or ''}"
    return (
        f"    {counterparty}（{row['counterparty_prefecture_code']}）"
        f" {yen_text(row['amount_jpy'])}{'（推計 estimated）' if row['amount_estimated'] else ''}"
        f"  [{row['source_file']} 行 {row['row_number']}]"
    )


def _largest_lines(answer: dict[str, Any]) -> list[str]:
    lines = []
    for title, key in (
        ("県外販売の大きい取引", "largest_out_of_prefecture_sales"),
        ("県内調達の大きい取引", "largest_in_prefecture_purchases"),
    ):
        lines.append(f"  {title}（上位 {TOP}）:")
        lines += [_transaction_line(row) for row in answer[key]] or ["    なし"]
    return lines


def _all_transaction_lines(answer: dict[str, Any]) -> list[str]:
    """Every contributing transaction, by direction, with the sum that makes each numerator."""
    rows, firm = answer["all_transactions"], answer["firm"]
    lines = [f"  寄与するすべての取引（all contributing transactions、{len(rows):,} 件）:"]
    for direction, title in DIRECTIONS.items():
        listed = [row for row in rows if row["direction"] == direction]
        total = yen_text(sum(row["amount_jpy"] for row in listed))
        if direction == "out_of_prefecture_sale":  # the export is no transaction, but it counts
            export, numerator = firm["export_sales_jpy"], firm["out_of_prefecture_sales_jpy"]
            total += f" + 輸出 {yen_text(export)} = {yen_text(numerator)}"
        lines.append(f"   {title} {direction}（{len(listed):,} 件、計 {total}）:")
        lines += [_transaction_line(row) for row in listed] or ["    なし"]
    return lines


def _transactions(answer: dict[str, Any]) -> list[str]:
    if answer["largest_out_of_prefecture_sales"] is None:  # read from the release's files
        lines = ["  取引単位の明細: なし（transaction-level detail is not available; see 注意 above）"]
        if "all_transactions" in answer:
            lines.append(
                "  --all-transactions は、ウェアハウスがこのリリースの状態を保持しているときだけ使えます"
            )
        return lines
    if answer.get("all_transactions") is not None:
        return _all_transaction_lines(answer)
    return _largest_lines(answer)


def render_text(answer: dict[str, Any]) -> str:
    """The explanation as lines a person reads."""
    header = _header(answer)
    year = answer["fiscal_year"]
    named = firm_label(answer["corporate_number"], answer.get("vendor_code"))
    if answer["status"] == "absent":
        searched = answer.get("releases_searched")
        where = (
            f"{year}年度のデータ"
            if year
            else f"公開中のどのリリース（{', '.join(searched)}）"
            if searched
            else "どの年度のデータ"
        )
        return "\n".join([*header, f"{named}: {where}にもありません（not in the data）。"])
    if answer["status"] == "quarantined":
        what = "入力行が検疫され" if answer["quarantine"] else "企業の入力行はなく、この番号の取引が検疫され"
        lines = [*header, f"{named}（{year}年度）: {what}、候補の判定対象外です（quarantined）。"]
        return "\n".join(lines + _quarantine_lines(answer["quarantine"] + answer["quarantined_transactions"]))
    firm, rule = answer["firm"], answer["rule"]
    verdict = (
        "重点支援企業候補です（candidate）"
        if firm["is_candidate"]
        else "候補ではありません（not a candidate）"
    )
    lines = [*header, f"{firm['name']}（{named}、{year}年度）: {verdict}"]
    lines += _firm_lines(firm, answer["prefecture"])
    lines += register_lines(answer.get("register"))
    lines.append(
        "  選定ルール（size and (connector or hub)）:"
        if rule.get("selection") != "composite_top_n"
        else "  選定ルール（size and composite top N）:"
    )
    for part in answer["rule_parts"]:
        mark = "合格 PASS" if part["passed"] else "不合格 FAIL"
        value, threshold = _number(part["value"]), _number(part["threshold"])
        lines.append(f"    {part['test']} {threshold}: {value} → {mark}")
    lines.append(_size_class_line(firm, rule))
    lines += _transactions(answer)
    quarantined = answer["quarantine"] + answer["quarantined_transactions"]
    if quarantined:  # a duplicate firms row, or transactions that name the firm
        lines.append("  この番号（コード）を含む検疫された行（数えていません）:")
        lines += _quarantine_lines(quarantined, indent="    ")
    return "\n".join(lines)
