"""A prefecture's day in headless Chromium: log in, look at the page, download the XLSX.

Chromium is Debian's (installed by `make test`'s set-up); Playwright drives it through
`executable_path`, against the real server started here on a free loopback port."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import sync_playwright

from pipeline.settings import PROJECT_ROOT
from portal.publications import PREFECTURE_NAMES
from tests.portal.conftest import PASSWORD, Portal, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "tests" / "portal" / "screenshots"


@pytest.fixture(scope="module")
def server(portal: Portal):
    with running_server(portal) as url:
        yield url


def test_a_prefecture_logs_in_and_downloads_its_xlsx(server, portal: Portal, tmp_path: Path):
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run `make test`, which installs it"
    counts = portal.client().app.state.marts.counts(portal.year)
    pref = max((c for c in counts if c < "10"), key=counts.get)  # a code with a leading zero
    assert counts[pref] > 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page(accept_downloads=True, locale="ja-JP")
            page.goto(f"{server}/prefectures/{pref}")
            assert "/login" in page.url  # not logged in yet
            page.fill("input[name=username]", f"pref{pref}")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/prefectures/{pref}")
            assert f"{PREFECTURE_NAMES[pref]}（{pref}）の重点支援企業候補" in page.content()
            page.wait_for_function("document.querySelector('img.chart').naturalWidth > 0")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"prefecture_{pref}.png"), full_page=True)
            with page.expect_download() as download:
                page.click(f"a[href='/prefectures/{pref}/{portal.year}/candidates.xlsx']")
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
        finally:
            browser.close()
    assert saved.name.endswith(f"{PREFECTURE_NAMES[pref]}_重点支援企業候補.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))["候補企業一覧"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    headers = [cell.value for cell in sheet[1]]
    code, number, name = (headers.index(h) for h in ("都道府県コード", "法人番号", "商号"))
    expected = portal.client().app.state.marts.candidates(portal.year)
    expected = expected.filter(expected["prefecture_code"] == pref)
    assert len(rows) == expected.height
    assert [r[number] for r in rows] == expected["corporate_number"].to_list()  # text, 13 digits
    assert all(r[code] == pref for r in rows)  # the leading zero survived
    assert [r[name] for r in rows] == expected["name"].to_list()  # Japanese names intact
    assert (SCREENSHOTS / f"prefecture_{pref}.png").stat().st_size > 10_000
