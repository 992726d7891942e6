"""A prefecture's downloads as Excel users get them: BOM CSV, CP932 CSV and XLSX."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from portal.downloads import SUBSTITUTE, candidates_xlsx, cp932_csv
from tests.portal.conftest import Portal, logged_in


def _busiest_prefecture(portal: Portal) -> str:
    counts = portal.client().app.state.marts.counts(portal.year)
    return max(counts, key=counts.get)


def test_prefecture_page_shows_years_counts_downloads_and_chart(portal: Portal):
    code = _busiest_prefecture(portal)
    page = logged_in(portal, f"pref:{code}").get(f"/prefectures/{code}")
    count = portal.client().app.state.marts.counts(portal.year)[code]
    assert f"{portal.year}年度" in page.text and f"<strong>{count:,}</strong>" in page.text
    for name in ("candidates.xlsx", "candidates.csv", "candidates-cp932.csv", "chart.png"):
        assert f"/prefectures/{code}/{portal.year}/{name}" in page.text


def test_csv_downloads_in_utf8_with_bom_and_in_cp932(portal: Portal):
    code = _busiest_prefecture(portal)
    client = logged_in(portal, f"pref:{code}")
    utf8 = client.get(f"/prefectures/{code}/{portal.year}/candidates.csv")
    assert utf8.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in utf8.headers["content-disposition"]
    sjis = client.get(f"/prefectures/{code}/{portal.year}/candidates-cp932.csv")
    rows = list(csv.DictReader(io.StringIO(sjis.content.decode("cp932"))))
    expected = list(csv.DictReader(io.StringIO(utf8.content.decode("utf-8-sig"))))
    assert rows == expected and rows
    assert all(len(r["corporate_number"]) == 13 and r["prefecture_code"] == code for r in rows)
    assert any(ord(ch) > 0x3000 for r in rows for ch in r["name"])  # Japanese names came through


def test_cp932_replaces_only_what_cp932_lacks(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("name\n髙橋𠮷野家～①\n", encoding="utf-8-sig")
    assert cp932_csv(path).decode("cp932") == f"name\n髙橋{SUBSTITUTE}野家～①\n"


def test_xlsx_has_japanese_headers_frozen_row_formats_text_numbers_and_a_chart(portal: Portal):
    code = _busiest_prefecture(portal)
    response = logged_in(portal, f"pref:{code}").get(f"/prefectures/{code}/{portal.year}/candidates.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["候補企業一覧"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:5] == ["年度", "都道府県コード", "都道府県", "法人番号", "商号"]
    assert sheet.freeze_panes == "A2"
    column = {name: index + 1 for index, name in enumerate(headers)}
    numbers = [sheet.cell(row, column["法人番号"]) for row in range(2, sheet.max_row + 1)]
    assert numbers and all(isinstance(c.value, str) and len(c.value) == 13 for c in numbers)
    assert all(c.number_format == "@" for c in numbers)
    assert sheet.cell(2, column["都道府県コード"]).value == code
    assert sheet.cell(2, column["売上高（円）"]).number_format == '"¥"#,##0'
    assert sheet.column_dimensions["E"].width > 20  # names are wide
    charts = book["散布図"]._charts
    assert len(charts) == 1 and type(charts[0]).__name__ == "ScatterChart"


@pytest.mark.parametrize("rows", [0, 3])
def test_xlsx_builds_for_any_number_of_rows(portal: Portal, rows):
    frame = portal.client().app.state.marts.candidates(portal.year).head(rows)
    book = openpyxl.load_workbook(io.BytesIO(candidates_xlsx(frame, "テスト")))
    assert book["候補企業一覧"].max_row == rows + 1


def test_secretariat_sees_every_prefecture_and_the_manifest(portal: Portal):
    client = logged_in(portal, "secretariat")
    page = client.get("/secretariat")
    assert page.status_code == 200
    assert "北海道" in page.text and "沖縄県" in page.text and "公表マニフェスト" in page.text
    manifest = client.get(f"/national/{portal.year}/manifest.json").json()
    assert manifest["fiscal_year"] == portal.year
    national = client.get(f"/national/{portal.year}/national_candidates.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(national.content))["候補企業一覧"].max_row > 1
