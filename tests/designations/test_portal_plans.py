"""Plans in the portal: a prefecture reaches only its own plans (47 × 47), submits a plan by
ticking candidates and attaching evidence, sees each verdict and the assessment's report; the
secretariat is refused approval while a firm fails, approves with exclusions, publishes; all of
it in the audit log."""

from __future__ import annotations

import pytest

from pipeline.designations.store import Designation, PlanStore
from pipeline.reference.prefectures import PREFECTURES
from tests.conftest import cn, write_csv
from tests.designations.conftest import CANDIDATES, EVIDENCE_PASSES, OSAKA_FIRM, SMALL, linked_marts
from tests.portal.conftest import CSRF, logged_in, portal_over

CODES = [p.code for p in PREFECTURES]


def _plan_fields(code: str) -> dict:
    return {"title": f"{code}の計画", "focus": "半導体", "valid_from": "2026-04-01", "valid_to": "2030-03-31",
            "reference_year": 2025, "release_id": "2025-test", "release_manifest_sha256": "0" * 64,
            "firms_file": "firms.csv", "firms_file_sha256": "0" * 64, "kpi_targets": []}  # fmt: skip


@pytest.fixture(scope="module")
def every_prefecture(world, tmp_path_factory):
    """One plan per prefecture, recorded straight into the store (this test is about access, so the
    firms are not verified), and a portal with one account per prefecture."""
    root = tmp_path_factory.mktemp("plans_47")
    store = PlanStore(root / "plans.sqlite3")
    for code in CODES:
        firm = Designation(1, cn(int(code)), "candidate", True, "test", "2025-test")
        store.record_revision(None, code, None, _plan_fields(code), [firm], by="test")
    roles = [f"pref:{c}" for c in CODES] + ["secretariat", "reviewer"]
    return portal_over(world.paths.marts_dir, root / "portal.sqlite3", roles), root


def test_each_prefecture_reaches_only_its_own_plans(every_prefecture, monkeypatch):
    portal, root = every_prefecture
    monkeypatch.setenv("PLANS_DB", str(root / "plans.sqlite3"))
    monkeypatch.setenv("DUCKDB_PATH", str(root / "no-warehouse.duckdb"))  # KPIs: "no warehouse", fast
    reached = set()
    for own in CODES:
        client = logged_in(portal, f"pref:{own}")
        listing = client.get("/plans")
        assert listing.status_code == 200
        assert [c for c in CODES if f'href="/plans/{c}-0001"' in listing.text] == [own]
        for code in CODES:
            page = client.get(f"/plans/{code}-0001")
            assert page.status_code in (200, 403), (own, code, page.status_code)
            if page.status_code == 200:
                reached.add((own, code))
        other = CODES[(CODES.index(own) + 1) % len(CODES)]
        assert client.get(f"/plans/{other}-0001/revise").status_code == 403
        token = CSRF.search(client.get("/plans/new").text).group(1)
        stolen = client.post("/plans/submit", data={"csrf_token": token, "plan_id": f"{other}-0001"},
                             files={"evidence_file_1": ("e.csv", b"", "text/csv")})  # fmt: skip
        assert stolen.status_code == 403
    assert reached == {(code, code) for code in CODES}
    assert PlanStore(root / "plans.sqlite3").revision("01-0001").revision == 1  # nothing was added
    secretariat = logged_in(portal, "secretariat")
    assert secretariat.get("/secretariat/plans").text.count("審査中") == len(CODES)
    assert logged_in(portal, "reviewer").get("/plans/13-0001").status_code == 403
    assert logged_in(portal, "pref:13").get("/secretariat/plans").status_code == 403


def test_a_prefecture_submits_and_the_secretariat_approves_and_publishes(world, tmp_path, monkeypatch):
    marts = linked_marts(world, tmp_path)
    monkeypatch.setenv("PLANS_DB", str(tmp_path / "plans.sqlite3"))
    monkeypatch.setenv("DUCKDB_PATH", str(world.paths.duckdb_path))
    portal = portal_over(marts.paths.marts_dir, tmp_path / "portal.sqlite3", ("pref:13", "secretariat"))
    tokyo = logged_in(portal, "pref:13")
    form = tokyo.get("/plans/new")
    assert form.status_code == 200
    for n in CANDIDATES:  # Tokyo's candidates are offered to tick; the small firm is not
        assert f'value="{cn(n)}"' in form.text
    assert f'value="{cn(SMALL)}"' not in form.text
    evidence = write_csv(tmp_path / "e.csv", ("direction", "counterparty_corporate_number",
                         "counterparty_prefecture_code", "amount_jpy"),
                         [{"direction": "販売", "counterparty_corporate_number": cn(OSAKA_FIRM),
                           "counterparty_prefecture_code": "27", "amount_jpy": 2_000_000_000}])  # fmt: skip
    fields = {"csrf_token": CSRF.search(form.text).group(1), "title": "東京半導体",
              "focus": "半導体・電子部品", "valid_from": "2026-04-01", "valid_to": "2030-03-31",
              "kpis": "売上額=13000000000@2025", "candidate": [cn(n) for n in (*CANDIDATES, SMALL)],
              "evidence_number_1": cn(EVIDENCE_PASSES)}  # fmt: skip
    done = tokyo.post("/plans/submit", data=fields,
                      files={"evidence_file_1": ("e.csv", evidence.read_bytes(), "text/csv")})  # fmt: skip
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/plans/13-0001?revision=1"
    page = tokyo.get("/plans/13-0001")
    assert page.status_code == 200 and "審査中" in page.text
    assert page.text.count(">可<") == 4 and page.text.count("不可</strong>") == 1
    assert f"/plans/13-0001/1/assessment/{cn(EVIDENCE_PASSES)}" in page.text
    assert "達成" in page.text  # the sales target of 2025: 13.2bn ≥ 13bn
    report = tokyo.get(f"/plans/13-0001/1/assessment/{cn(EVIDENCE_PASSES)}")
    assert report.status_code == 200 and "証憑" in report.text
    assert tokyo.get("/plans/13-0001/1/kpis.png").content.startswith(b"\x89PNG")

    office = logged_in(portal, "secretariat")
    listing = office.get("/secretariat/plans")
    token = CSRF.search(listing.text).group(1)
    refused = office.post(
        "/secretariat/plans/13-0001/1/approve", data={"csrf_token": token, "reason": "確認"}
    )
    assert refused.status_code == 422 and cn(SMALL) in refused.text
    approved = office.post("/secretariat/plans/13-0001/1/approve",
                           data={"csrf_token": token, "reason": "確認", "exclude": [cn(SMALL)]})  # fmt: skip
    assert approved.status_code == 200 and "approve" in approved.text
    published = office.post(
        "/secretariat/ichiran/publish", data={"csrf_token": token, "effective": "2026-04-01"}
    )
    assert published.status_code == 200 and "第1版を公表しました" in published.text
    public = portal.client().get("/ichiran")
    assert "最新版：第1版（2026-04-01 適用）" in public.text
    answer = portal.client().get(f"/api/ichiran/{cn(EVIDENCE_PASSES)}", params={"as_of": "2026-05-01"}).json()
    assert answer["listed"] is True and answer["plans"][0]["basis"] == "evidence"
    log = {(row[2], row[3], row[5]) for row in portal.store().audit_log.entries()}
    for entry in (("pref13", "plan_submit", "ok"), ("secretariat", "plan_approve", "refused"),
                  ("secretariat", "plan_approve", "ok"), ("secretariat", "ichiran_publish", "ok"),
                  ("pref13", "assessment_view", "ok")):  # fmt: skip
        assert entry in log, entry
    revision = PlanStore(tmp_path / "plans.sqlite3").revision("13-0001", 1)
    assert revision.submitted_by == "pref13" and revision.events[-1]["by"] == "secretariat"
