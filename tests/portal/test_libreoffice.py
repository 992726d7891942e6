"""LibreOffice, headless, opens the downloads and keeps the Japanese text.

Debian's libreoffice-calc-nogui is installed by `make test`'s set-up. The CSV is opened as a
user would open it: comma-separated UTF-8 (the BOM is then no part of the first header),
code and number columns as text; the XLSX is opened as it is and saved back as UTF-8 CSV."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl

from tests.portal.conftest import Portal, logged_in

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
UTF8_CSV_IN = "CSV:44,34,76,1,2/2/3/2/4/2"  # comma, double quote, UTF-8, line 1; columns 2–4 as text
UTF8_CSV_OUT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1"


def _soffice(work: Path, *args: str) -> None:
    profile = (work / "profile").as_uri()
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", *args, "--outdir", str(work / "out")],
        cwd=work, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _downloads(portal: Portal, work: Path) -> tuple[str, list[dict]]:
    counts = portal.client().app.state.marts.counts(portal.year)
    code = max(counts, key=counts.get)
    client = logged_in(portal, f"pref:{code}")
    for name in ("candidates.csv", "candidates.xlsx"):
        response = client.get(f"/prefectures/{code}/{portal.year}/{name}")
        assert response.status_code == 200
        (work / name).write_bytes(response.content)
    expected = list(csv.DictReader(io.StringIO((work / "candidates.csv").read_text(encoding="utf-8-sig"))))
    assert expected
    return code, expected


def test_libreoffice_opens_the_csv_and_the_xlsx_with_japanese_intact(portal: Portal, tmp_path: Path):
    assert Path(SOFFICE).exists(), "LibreOffice is missing: run `make test`, which installs it"
    code, expected = _downloads(portal, tmp_path)
    names = [row["name"] for row in expected]
    numbers = [row["corporate_number"] for row in expected]

    _soffice(tmp_path, f"--infilter={UTF8_CSV_IN}", "--convert-to", "xlsx", "candidates.csv")
    rows = list(
        openpyxl.load_workbook(tmp_path / "out" / "candidates.xlsx").active.iter_rows(values_only=True)
    )
    assert rows[0][:5] == ("fiscal_year", "prefecture_code", "prefecture_name", "corporate_number", "name")
    assert [r[4] for r in rows[1:]] == names
    assert [r[3] for r in rows[1:]] == numbers and {r[1] for r in rows[1:]} == {code}
    assert {r[2] for r in rows[1:]} == {expected[0]["prefecture_name"]}

    _soffice(tmp_path, "--convert-to", UTF8_CSV_OUT, "candidates.xlsx")
    (sheet,) = (tmp_path / "out").glob("candidates-候補企業一覧.csv")
    back = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    assert [r["商号"] for r in back] == names
    assert [r["法人番号"] for r in back] == numbers  # text, not 1.18E+12
    assert {r["都道府県コード"] for r in back} == {code}
