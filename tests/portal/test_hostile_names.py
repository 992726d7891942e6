"""Firm names that would run as formulas, or that XML cannot hold, in every download.

A formula-like name must reach the user as the text it is: never a formula in either
workbook (openpyxl's data_type), shown as written by LibreOffice, and quoted in the CSVs."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import polars as pl

from pipeline.runtime.release_folders import copy_bom_csv
from pipeline.stages.publication.spreadsheet_safe import spreadsheet_safe, starts_like_formula
from portal.downloads import candidates_xlsx, cp932_csv
from tests.portal.conftest import HOSTILE_NAMES, Portal, logged_in

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
XLSX_TO_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1"
CSV_TO_XLSX = "CSV:44,34,76,1,1/1/2/2/3/1/4/2/5/1"  # the name column as Calc guesses it


def _workbooks(portal: Portal, folder: Path) -> dict[str, Path]:
    downloads = {
        "pref:13": f"/prefectures/13/{portal.year}/candidates.xlsx",
        "secretariat": f"/national/{portal.year}/national_candidates.xlsx",
    }
    saved = {}
    for role, url in downloads.items():
        response = logged_in(portal, role).get(url)
        assert response.status_code == 200, response.text
        saved[role] = folder / f"{role.replace(':', '')}.xlsx"
        saved[role].write_bytes(response.content)
    return saved


def test_no_cell_of_either_workbook_is_a_formula(hostile: Portal, tmp_path: Path):
    for path in _workbooks(hostile, tmp_path).values():
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
            assert cells and not [c.coordinate for c in cells if c.data_type == "f"], sheet.title
        sheet = book["候補企業一覧"]
        name = [cell.value for cell in sheet[1]].index("商号") + 1
        shown = {sheet.cell(row, name).value: sheet.cell(row, name) for row in range(2, sheet.max_row + 1)}
        assert set(HOSTILE_NAMES.values()) <= set(shown)
        for text in HOSTILE_NAMES.values():
            assert shown[text].data_type == "s"
            assert shown[text].quotePrefix == starts_like_formula(text)  # Excel keeps it text on edit


def test_libreoffice_shows_both_workbooks_as_written(hostile: Portal, tmp_path: Path):
    assert Path(SOFFICE).exists(), "LibreOffice is missing: run `make test`, which installs it"
    for role, path in _workbooks(hostile, tmp_path).items():
        out = tmp_path / role.replace(":", "")
        _soffice(tmp_path, out, "--convert-to", XLSX_TO_CSV, str(path))
        (sheet,) = out.glob("*-候補企業一覧.csv")
        names = [row["商号"] for row in csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8")))]
        # A formula would show its result: 2, 詳細, an error code.
        assert set(HOSTILE_NAMES.values()) <= set(names), names


def test_csv_downloads_quote_ascii_and_full_width_triggers(hostile: Portal, tmp_path: Path):
    client = logged_in(hostile, "pref:13")
    for name, encoding in (("candidates.csv", "utf-8-sig"), ("candidates-cp932.csv", "cp932")):
        response = client.get(f"/prefectures/13/{hostile.year}/{name}")
        assert response.status_code == 200
        (tmp_path / name).write_bytes(response.content)
        names = {row["name"] for row in csv.DictReader(io.StringIO(response.content.decode(encoding)))}
        assert names == {spreadsheet_safe(text) for text in HOSTILE_NAMES.values()}
        assert "'＝１＋１" in names and "'=1+1" in names and "#N/A" in names
    out = tmp_path / "out"
    _soffice(tmp_path, out, f"--infilter={CSV_TO_XLSX}", "--convert-to", "xlsx", "candidates.csv")
    sheet = openpyxl.load_workbook(out / "candidates.xlsx").active
    cells = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert cells and all(cell.data_type == "s" for cell in cells)  # Calc ran none of them


def test_any_character_in_a_name_gives_a_workbook(hostile: Portal):
    """Every code point Parquet text can hold (all but surrogates), C0 controls included, in
    names: the XLSX builds, shows each one, and cuts a name at Excel's 32,767 units."""
    frame = hostile.client().app.state.marts.candidates(hostile.year)
    points = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    chunks = ["株式会社\x0bテスト", "\x00=1+1", "𠮷" * 20_000]
    chunks += ["".join(points[i : i + 4096]) for i in range(0, len(points), 4096)]
    rows = frame.sample(len(chunks), with_replacement=True, seed=1).with_columns(pl.Series("name", chunks))
    book = openpyxl.load_workbook(io.BytesIO(candidates_xlsx(rows, "テスト")))
    sheet = book["候補企業一覧"]
    name = [cell.value for cell in sheet[1]].index("商号") + 1
    shown = [sheet.cell(row, name) for row in range(2, sheet.max_row + 1)]
    assert all(cell.data_type == "s" for cell in shown)
    assert shown[0].value == "株式会社␋テスト" and shown[1].value == "␀=1+1"
    assert shown[2].value == "𠮷" * 16_383 + "…"  # 32,767 UTF-16 units
    for cell, text in zip(shown[3:], chunks[3:], strict=True):
        assert cell.value == "".join(_as_shown(ch) for ch in text)


def _as_shown(ch: str) -> str:
    """The README's rule, written out: control pictures, U+FFFD where XML has no place, and
    XML's own reading of a CR as a line end."""
    code = ord(ch)
    if code < 0x20 and ch not in "\t\n\r":
        return chr(0x2400 + code)
    if code == 0x7F:
        return "␡"
    if code in (0xFFFE, 0xFFFF):
        return "\ufffd"
    return "\n" if ch == "\r" else ch


def test_cp932_keeps_a_carriage_return_inside_a_field(tmp_path: Path):
    path = tmp_path / "list.csv"
    with duckdb.connect() as con:  # written as the pipeline writes its CSVs
        copy_bom_csv(con, "select 'a\rb' as name, 'c\r\nd' as note", path)
    rows = list(csv.reader(io.StringIO(cp932_csv(path).decode("cp932"), newline="")))
    assert rows == [["name", "note"], ["a\rb", "c\r\nd"]]


def _soffice(work: Path, out: Path, *args: str) -> None:
    profile = (work / "profile").as_uri()
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", *args, "--outdir", str(out)],
        cwd=work, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
