"""The portal's security tests: who may read what, and nothing else is ever served."""

from __future__ import annotations

import sqlite3

import pytest

from pipeline.reference.prefectures import PREFECTURES
from tests.portal.conftest import Portal, logged_in, login

CODES = [p.code for p in PREFECTURES]


def test_access_matrix_only_the_diagonal_succeeds(portal: Portal):
    """Every prefecture account asks for every prefecture's files: 47 × 47 × 2 requests."""
    allowed = set()
    for own in CODES:
        client = logged_in(portal, f"pref:{own}")
        for code in CODES:
            for name in ("candidates.csv", "chart.png"):
                response = client.get(f"/prefectures/{code}/{portal.year}/{name}")
                assert response.status_code in (200, 403), (own, code, name, response.status_code)
                if response.status_code == 200:
                    allowed.add((own, code, name))
            page = client.get(f"/prefectures/{code}")
            assert page.status_code == (200 if code == own else 403), (own, code)
    assert allowed == {(code, code, name) for code in CODES for name in ("candidates.csv", "chart.png")}


@pytest.mark.parametrize(
    "path",
    [
        "/prefectures/13/2025/candidates.csv",
        "/prefectures/13/2025/candidates.xlsx",
        "/prefectures/13/2025/chart.png",
        "/national/2025/national_candidates.csv",
        "/national/2025/manifest.json",
        "/api/lookup/1180301018771",
    ],
)
def test_unauthenticated_downloads_get_401(portal: Portal, path):
    assert portal.client().get(path).status_code == 401


@pytest.mark.parametrize("path", ["/", "/prefectures/13", "/secretariat", "/secretariat/audit", "/lookup"])
def test_unauthenticated_pages_redirect_to_login(portal: Portal, path):
    response = portal.client().get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


CRAFTED = [
    "/prefectures/13/2025/..%2F..%2Fquarantine.parquet",
    "/prefectures/13/2025/%2e%2e%2f%2e%2e%2fquarantine.parquet",
    "/prefectures/13/2025/..%2F..%2F..%2Fwarehouse.duckdb",
    "/prefectures/13/2025/13.csv",
    "/prefectures/13/2025/candidates.csv%00.parquet",
    "/prefectures/..%2F13/2025/candidates.csv",
    "/prefectures/13/..%2F2025/candidates.csv",
    "/prefectures/13/2025/..\\..\\quarantine.parquet",
    "/national/2025/quarantine.parquet",
    "/national/2025/firm_degrees.parquet",
    "/national/2025/..%2Fwarehouse.duckdb",
    "/national/2025/..%2F..%2Fraw%2F2025%2Ffirms.csv",
    "/national/2025/validation_report.html",
    "/national/1999/national_candidates.csv",
    "/national/..%2F..%2Fportal.sqlite3/manifest.json",
    "/static/../../warehouse.duckdb",
    "/quarantine.parquet",
    "/data/warehouse.duckdb",
]


@pytest.mark.parametrize("path", CRAFTED)
def test_traversal_and_crafted_names_are_refused_even_for_the_secretariat(portal: Portal, path):
    response = logged_in(portal, "secretariat").get(path)
    assert response.status_code in (400, 403, 404, 422), response.status_code
    assert b"DUCK" not in response.content and b"PAR1" not in response.content


def test_quarantine_raw_inputs_and_the_warehouse_have_no_route(portal: Portal):
    """Whatever the account, no URL the app knows returns those files."""
    client = logged_in(portal, "secretariat")
    routes = {route.path for route in client.app.routes}
    assert not any(word in path for path in routes for word in ("quarantine", "raw", "duckdb", "static"))
    folder = portal.config.marts_dir / str(portal.year)
    assert (folder / "quarantine.parquet").is_file()  # it exists; it is just never served


def test_lookup_reveals_membership_and_nothing_more(portal: Portal):
    client = logged_in(portal, "reviewer")
    candidates = portal.client().app.state.marts.candidates(portal.year)
    listed = candidates.row(0, named=True)
    answer = client.get(f"/api/lookup/{listed['corporate_number']}")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"corporate_number", "on_list", "listings"}
    assert body["on_list"] is True
    assert body["listings"] == [
        {"fiscal_year": portal.year, "prefecture_code": listed["prefecture_code"],
         "prefecture_name": listed["prefecture_name"]}
    ]  # fmt: skip
    assert listed["name"] not in answer.text
    page = client.get("/lookup", params={"corporate_number": listed["corporate_number"]})
    assert "掲載されています" in page.text and listed["name"] not in page.text


def test_lookup_checks_the_check_digit(portal: Portal):
    client = logged_in(portal, "reviewer")
    bad = client.get("/api/lookup/1180301018772")
    assert bad.status_code == 422
    assert "検査用数字" in bad.json()["error"]
    assert client.get("/api/lookup/123").status_code == 422
    absent = client.get("/api/lookup/7000012050002")  # 国税庁: valid, never a candidate here
    assert absent.status_code == 200 and absent.json() == {
        "corporate_number": "7000012050002", "on_list": False, "listings": []
    }  # fmt: skip
    assert "正しくなければなりません" in client.get("/lookup", params={"corporate_number": "12"}).text


def test_roles_keep_to_their_pages(portal: Portal):
    reviewer = logged_in(portal, "reviewer")
    assert reviewer.get(f"/prefectures/13/{portal.year}/candidates.csv").status_code == 403
    assert reviewer.get(f"/national/{portal.year}/national_candidates.csv").status_code == 403
    assert reviewer.get("/secretariat").status_code == 403
    prefecture = logged_in(portal, "pref:13")
    assert prefecture.get("/api/lookup/1180301018771").status_code == 403
    assert prefecture.get(f"/national/{portal.year}/national_candidates.csv").status_code == 403
    assert prefecture.get("/secretariat/audit").status_code == 403
    secretariat = logged_in(portal, "secretariat")
    assert secretariat.get(f"/prefectures/47/{portal.year}/candidates.csv").status_code == 200
    assert secretariat.get(f"/national/{portal.year}/national_candidates.parquet").status_code == 200


def test_session_cookie_is_secure_httponly_and_samesite(portal: Portal):
    response = login(portal.client(), "pref13")
    cookie = response.headers["set-cookie"]
    assert "portal_session=" in cookie
    assert all(flag in cookie.lower() for flag in ("secure", "httponly", "samesite=strict"))


def test_forms_need_their_csrf_token(portal: Portal):
    client = portal.client()
    client.get("/login")
    forged = client.post("/login", data={"username": "pref13", "password": "x" * 20, "csrf_token": "forged"})
    assert forged.status_code == 403
    signed_in = logged_in(portal, "pref13")
    assert signed_in.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert signed_in.get("/prefectures/13").status_code == 200  # still logged in


def test_every_login_download_and_lookup_is_in_the_append_only_log(fresh: Portal):
    # A portal of its own: the matrix's denials, in the same minute, would have used up this
    # account's budget of denials logged one by one.
    portal = fresh
    client = logged_in(portal, "pref:13")
    client.get(f"/prefectures/13/{portal.year}/candidates.csv")
    client.get(f"/prefectures/14/{portal.year}/candidates.csv")
    logged_in(portal, "reviewer").get("/api/lookup/1180301018771")
    entries = [e[2:6] for e in portal.store().audit_log.entries()]
    assert ("pref13", "login", "pref:13", "ok") in entries
    assert ("pref13", "download", f"/prefectures/13/{portal.year}/candidates.csv", "ok") in entries
    assert ("pref13", "download", f"/prefectures/14/{portal.year}/candidates.csv", "forbidden") in entries
    assert ("reviewer", "lookup", "1180301018771", "not_listed") in entries or (
        "reviewer", "lookup", "1180301018771", "listed") in entries  # fmt: skip
    audit = logged_in(portal, "secretariat").get("/secretariat/audit")
    assert audit.status_code == 200 and "pref13" in audit.text
    with sqlite3.connect(portal.config.database) as con:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("update audit_log set result = 'ok'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("delete from audit_log")
