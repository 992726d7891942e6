"""The 一覧 as XLSX: Japanese headers, every text cell a string cell (never a formula), codes and
法人番号 as text, and no clock inside, so that the same version gives the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from pipeline.stages.publication.spreadsheet_safe import starts_like_formula, xlsx_text

HEADERS = {
    "ichiran_version": "版",
    "effective_date": "適用日",
    "corporate_number": "法人番号",
    "name": "商号",
    "prefecture_code": "都道府県コード",
    "prefecture_name": "都道府県名",
    "municipality_code": "市区町村コード",
    "plan_id": "計画ID",
    "plan_revision": "計画の改訂",
    "plan_title": "計画名",
    "focus": "産業領域",
    "basis": "指定の根拠",
    "designated_from": "指定日",
    "designated_until": "指定期限",
    "release_id": "候補リストの公表ID",
    # As the candidate lists' XLSX (portal/downloads.py): a 個人 has no 法人番号, only these.
    "vendor_code": "企業コード（データ提供元）",
    "legal_form": "法人・個人の別",
}
BASIS_NAMES = {"candidate": "候補リスト", "evidence": "証憑"}
_FIXED = (1980, 1, 1, 0, 0, 0)


class _FixedTimeZip(zipfile.ZipFile):
    """Every member dated 1980-01-01, so that the archive does not carry the time it was made."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=_FIXED)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        """openpyxl writes each sheet from a temporary file, whose mtime would be kept."""
        with open(filename, "rb") as f:
            self.writestr(arcname or str(filename), f.read())


def _text_cell(cell, text: str) -> None:
    cell.value = xlsx_text(text)
    cell.data_type = "s"  # set after the value: openpyxl would store "=…" as a formula
    cell.quotePrefix = starts_like_formula(cell.value)


def ichiran_xlsx(table: pa.Table, title: str, made: dt.date) -> bytes:
    """The rows of `table` (the 一覧's columns) as one sheet; `made` dates the document."""
    book = Workbook()
    sheet = book.active
    sheet.title = "重点支援企業一覧"
    columns = table.column_names
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index)
        _text_cell(cell, HEADERS.get(column, column))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row_index, row in enumerate(table.to_pylist(), start=2):
        for index, column in enumerate(columns, start=1):
            value = row[column]
            if value is None:
                continue
            cell = sheet.cell(row_index, index)
            if column == "basis":
                value = BASIS_NAMES.get(value, value)
            if isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, int) and column in ("ichiran_version", "plan_revision"):
                cell.value = value
            else:
                _text_cell(cell, str(value))
    for index, column in enumerate(columns, start=1):
        values = [len(str(v)) for v in table.column(column).to_pylist()[:2000] if v is not None]
        width = max([len(HEADERS.get(column, column)) * 2, *values]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.title = title
    book.properties.creator = "chiiki-mirai-candidates"
    stamp = dt.datetime.combine(made, dt.time())
    book.properties.created = book.properties.modified = stamp
    out = io.BytesIO()
    with _FixedTimeZip(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return out.getvalue()
