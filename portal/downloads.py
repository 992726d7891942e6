"""Download formats for people who open the lists in Excel: the published UTF-8 BOM CSV as
it is, the same in CP932 for older Excel, and an XLSX with Japanese headers and a chart."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pipeline.stages.publication.spreadsheet_safe import starts_like_formula, xlsx_text

SUBSTITUTE = "〓"  # the geta mark: the customary stand-in for a character a code page lacks


def _geta(error: UnicodeEncodeError) -> tuple[str, int]:
    return SUBSTITUTE * (error.end - error.start), error.end


codecs.register_error("geta", _geta)

# Japanese headers for every published column (contract §5 and its extensions).
HEADERS = {
    "fiscal_year": "年度",
    "prefecture_code": "都道府県コード",
    "prefecture_name": "都道府県",
    "corporate_number": "法人番号",
    "name": "商号",
    "jsic_division": "産業大分類",
    "sales_jpy": "売上高（円）",
    "employees": "従業員数",
    "out_of_prefecture_sales_jpy": "県外販売額（円）",
    "in_prefecture_purchases_jpy": "県内仕入額（円）",
    "connector_degree": "コネクター度",
    "hub_degree": "ハブ度",
    "connector_rank": "コネクター度順位",
    "hub_rank": "ハブ度順位",
    "meets_connector": "コネクター度基準",
    "meets_hub": "ハブ度基準",
    "size_class": "企業規模区分",
    "size_class_reason": "規模区分を判定できない理由",
    "in_prefecture_procurement_share": "県内調達率",
    "top_customer_share": "最大販売先比率",
    "customer_hhi": "販売先集中度（HHI）",
    "in_prefecture_customers": "県内販売先数",
    "out_of_prefecture_customers": "県外販売先数",
    "in_prefecture_suppliers": "県内仕入先数",
    "out_of_prefecture_suppliers": "県外仕入先数",
    "composite_score": "総合評価点",
    "composite_rank": "総合評価順位",
    "composite_reason": "総合評価点がない理由",
    "meets_composite": "総合評価上位",
    "vendor_code": "企業コード（データ提供元）",
    "legal_form": "法人・個人の別",
}
YEN = '"¥"#,##0'
COUNT = "#,##0"
SHARE = "0.000000"
TEXT_COLUMNS = {
    "prefecture_code",
    "corporate_number",
    "name",
    "prefecture_name",
    "jsic_division",
    "vendor_code",
    "legal_form",
}


def cp932_csv(path: Path) -> bytes:
    """The published UTF-8 BOM CSV re-encoded as CP932; characters CP932 lacks become 〓.
    Read as bytes: a text-mode read would turn a CR inside a quoted field into LF."""
    return path.read_bytes().decode("utf-8-sig").encode("cp932", errors="geta")


def _put_text(cell, text: str) -> None:
    """A text cell that stays text: openpyxl would store `=…` as a formula, and a "@" format
    does not stop it, so the type is set after the value. Formula-like text also gets Excel's
    quote prefix, so that editing the cell does not turn it into a formula either."""
    cell.value = xlsx_text(text)
    cell.data_type = "s"
    cell.quotePrefix = starts_like_formula(cell.value)


def _format(column: str) -> str | None:
    if column.endswith("_jpy"):
        return YEN
    if column in ("employees", "connector_rank", "hub_rank", "composite_rank") or column.endswith(
        ("_customers", "_suppliers")
    ):
        return COUNT
    if column.endswith(("_degree", "_share", "_hhi")):
        return SHARE
    if column == "composite_score":
        return "0.00"
    if column in TEXT_COLUMNS:
        return "@"
    return None


def _width(column: str, values: list) -> float:
    longest = max([len(HEADERS.get(column, column))] + [len(str(v)) for v in values[:2000] if v is not None])
    return min(
        max(longest * 1.8 if column in ("name", "size_class_reason", "composite_reason") else longest + 4, 8),
        60,
    )


def candidates_xlsx(frame: pl.DataFrame, title: str) -> bytes:
    """The list as XLSX: Japanese headers, a frozen header row, yen formats, corporate numbers
    and codes as text, sensible widths, and a native scatter chart of connector × hub."""
    book = Workbook()
    sheet = book.active
    sheet.title = "候補企業一覧"
    columns = frame.columns
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index)
        _put_text(cell, HEADERS.get(column, column))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    formats = [_format(column) for column in columns]
    for row_index, row in enumerate(frame.iter_rows(), start=2):
        for index, (value, number_format) in enumerate(zip(row, formats, strict=True), start=1):
            if value is None:
                continue
            cell = sheet.cell(row_index, index)
            if isinstance(value, str) or number_format == "@":
                _put_text(cell, str(value))
            else:
                cell.value = value
            if number_format:
                cell.number_format = number_format
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(column, frame.get_column(column).to_list())
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _scatter(book, sheet, columns, frame.height, title)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _scatter(book: Workbook, sheet, columns: list[str], rows: int, title: str) -> None:
    chart = ScatterChart()
    chart.title = f"{title} コネクター度 × ハブ度"
    chart.style = 13
    chart.x_axis.title = "コネクター度"
    chart.y_axis.title = "ハブ度"
    chart.x_axis.number_format = "0.000"
    chart.y_axis.number_format = "0.000"
    chart.legend = None
    chart.height, chart.width = 12, 20
    if rows:
        x = columns.index("connector_degree") + 1
        y = columns.index("hub_degree") + 1
        series = Series(
            Reference(sheet, min_col=y, min_row=2, max_row=rows + 1),
            Reference(sheet, min_col=x, min_row=2, max_row=rows + 1),
            title="重点支援企業候補",
        )
        series.marker.symbol = "circle"
        series.marker.size = 6
        series.graphicalProperties.line.noFill = True  # points only, no connecting lines
        chart.series.append(series)
    charts = book.create_sheet("散布図")
    _put_text(charts["A1"], f"{title}：候補企業のコネクター度（横軸）とハブ度（縦軸）")
    charts.add_chart(chart, "A3")
