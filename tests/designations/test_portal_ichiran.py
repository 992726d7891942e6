"""The 一覧 in the portal: public page and API without login, downloads, the bulk lookup for
reviewers, the candidate lookup retitled; and the public page in headless Chromium."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

from pipeline.settings import PROJECT_ROOT
from tests.conftest import cn
from tests.designations.conftest import CANDIDATES, DROPPED
from tests.portal.conftest import CSRF, portal_over, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "tests" / "portal" / "screenshots"


@pytest.fixture(scope="module")
def portal(cycle, tmp_path_factory):
    database = tmp_path_factory.mktemp("ichiran_portal") / "portal.sqlite3"
    return portal_over(cycle.world.paths.marts_dir, database, ("reviewer", "pref:13", "secretariat"))


def test_the_public_page_and_api_need_no_login(portal):
    client = portal.client()
    page = client.get("/ichiran")
    assert page.status_code == 200
    assert "最新版：第2版（2026-10-01 適用）" in page.text
    assert 'href="/ichiran/v2/ichiran.xlsx"' in page.text and "第1版（2026-04-01 適用" in page.text
    answer = client.get(f"/api/ichiran/{cn(DROPPED)}", params={"as_of": "2026-06-30"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["listed"] is True and body["plans"][0]["plan_id"] == "13-0001"
    later = client.get(f"/api/ichiran/{cn(DROPPED)}", params={"as_of": "2026-10-02"}).json()
    assert later["listed"] is False and later["history"][0]["listed_until"] == "2026-09-30"
    bad = client.get("/api/ichiran/1180301018772")
    assert bad.status_code == 422 and "検査用数字" in bad.json()["error"]
    assert client.get(f"/api/ichiran/{cn(1)}", params={"as_of": "2026-13-01"}).status_code == 422
    shown = client.get("/ichiran", params={"corporate_number": cn(DROPPED), "as_of": "2026-10-02"})
    assert "掲載されていません" in shown.text and "2026-04-01 – 2026-09-30" in shown.text


def test_public_lookups_and_downloads_are_in_the_audit_log(portal):
    client = portal.client(address="198.51.100.7")
    client.get(f"/api/ichiran/{cn(CANDIDATES[0])}", params={"as_of": "2026-06-30"})
    download = client.get("/ichiran/v1/ichiran.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert [c.value for c in sheet[1]][2:4] == ["法人番号", "商号"]
    rows = [r for r in portal.store().audit_log.entries() if "198.51.100.7" in r]
    assert ("ichiran_lookup", f"{cn(CANDIDATES[0])}@2026-06-30", "listed") in {r[3:6] for r in rows}
    assert ("download", "/ichiran/v1/ichiran.xlsx", "ok") in {r[3:6] for r in rows}
    assert {r[2] for r in rows} == {None}  # anonymous: no account name


def test_files_are_served_by_kind_only(portal):
    client = portal.client()
    for path in ("/ichiran/v1/history.parquet", "/ichiran/v1/..%2Fhistory.parquet", "/ichiran/v9/ichiran.csv",
                 "/ichiran/v1/plans.sqlite3", "/ichiran/v0/manifest.json"):  # fmt: skip
        assert client.get(path).status_code in (404, 422), path
    cp932 = client.get("/ichiran/v2/ichiran-cp932.csv")
    assert cp932.status_code == 200 and "東京都".encode("cp932") in cp932.content


def test_bulk_lookup_is_for_reviewers(portal, tmp_path):
    from tests.portal.conftest import logged_in

    assert portal.client().get("/ichiran/bulk").status_code == 303  # to the login page
    assert logged_in(portal, "pref:13").get("/ichiran/bulk").status_code == 403
    reviewer = logged_in(portal, "reviewer")
    assert reviewer.get("/").headers["location"] == "/ichiran"
    form = reviewer.get("/ichiran/bulk")
    token = CSRF.search(form.text).group(1)
    upload = "法人番号,申請者\n" + "\n".join(f"{cn(n)},申請{n}" for n in (*CANDIDATES, 7)) + "\n12,誤り\n"
    result = reviewer.post(
        "/ichiran/bulk",
        data={"as_of": "2026-10-02", "csrf_token": token},
        files={"numbers": ("round.csv", upload.encode("cp932"), "text/csv")},
    )
    assert result.status_code == 200, result.text
    rows = list(csv.DictReader(result.content.decode("utf-8-sig").splitlines()))
    assert [r["status"] for r in rows] == ["listed", "listed", "not_listed", "not_listed", "invalid"]
    assert rows[0]["申請者"] == f"申請{CANDIDATES[0]}"
    forged = reviewer.post("/ichiran/bulk", data={"as_of": "2026-10-02", "csrf_token": "x"},
                           files={"numbers": ("round.csv", b"a", "text/csv")})  # fmt: skip
    assert forged.status_code == 403


def test_the_candidate_lookup_says_what_it_is(portal):
    from tests.portal.conftest import logged_in

    page = logged_in(portal, "reviewer").get("/lookup")
    assert "<h1>候補リストへの掲載の照会</h1>" in page.text
    assert "重点支援企業一覧への掲載の照会" not in page.text and 'href="/ichiran"' in page.text


def test_the_public_page_in_headless_chromium(portal, tmp_path: Path):
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run `make test`, which installs it"
    with running_server(portal) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page(accept_downloads=True, locale="ja-JP")
            page.goto(f"{url}/ichiran")
            assert "/login" not in page.url
            assert "重点支援企業一覧" in page.title()
            page.fill("input[name=corporate_number]", cn(DROPPED))
            page.fill("input[name=as_of]", "2026-06-30")
            page.click("button[type=submit]")
            page.wait_for_selector("#answer")
            assert "掲載されています" in page.inner_text("#answer")
            assert "13-0001" in page.content()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "ichiran_public.png"), full_page=True)
            page.fill("input[name=as_of]", "2026-10-02")
            page.click("button[type=submit]")
            page.wait_for_selector("#answer")
            assert "掲載されていません" in page.inner_text("#answer")
            with page.expect_download() as download:
                page.click("a[href='/ichiran/v2/ichiran.csv']")
            saved = tmp_path / "ichiran.csv"
            download.value.save_as(saved)
        finally:
            browser.close()
    text = saved.read_bytes().decode("utf-8-sig")
    assert cn(CANDIDATES[0]) in text and cn(DROPPED) not in text
