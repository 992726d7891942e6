"""Whom the portal believes about addresses and host names, and the headers on every response."""

from __future__ import annotations

import httpx2
import pytest

from portal.middleware import SECURITY_HEADERS
from tests.portal.conftest import CSRF, Portal, logged_in, login, portal_over, running_server

FORGED = "evil-<b>host</b>"


def _failed_logins(url: str, forwarded_for: list[str]) -> list[int]:
    """Wrong passwords through the real server, each claiming another address."""
    statuses = []
    with httpx2.Client(base_url=url) as client:
        for address in forwarded_for:
            token = CSRF.search(client.get("/login").text).group(1)
            form = {"username": "pref13", "password": "wrong password!", "csrf_token": token}
            # The cookie is Secure, which an http client does not send back; pass it by hand.
            response = client.post(
                "/login",
                data=form,
                headers={"X-Forwarded-For": address, "Cookie": f"portal_login_csrf={token}"},
            )
            statuses.append(response.status_code)
    return statuses


def test_x_forwarded_for_from_loopback_is_not_believed(fresh: Portal):
    with running_server(fresh) as url:
        statuses = _failed_logins(url, [f"{FORGED}{n}" for n in range(6)])
    assert statuses == [401] * 5 + [429]  # one address, whatever the header says
    clients = {row[6] for row in fresh.store().audit_log.entries()}
    assert clients == {"127.0.0.1"}


def test_a_trusted_proxys_forwarded_address_is_used(fresh: Portal):
    with running_server(fresh, PORTAL_TRUSTED_PROXIES="127.0.0.1") as url:
        statuses = _failed_logins(url, [f"203.0.113.{n}" for n in range(6)])
    assert statuses == [401] * 6  # six addresses, as the proxy says
    clients = {row[6] for row in fresh.store().audit_log.entries()}
    assert clients == {f"203.0.113.{n}" for n in range(6)}


def test_an_unknown_host_name_is_refused_and_logged(fresh: Portal):
    client_address = "198.51.100.7"
    client = fresh.client(client_address)
    response = client.get("/login", headers={"Host": "evil.example"})
    assert response.status_code == 400
    slash = client.get("/login/", headers={"Host": "evil.example"})
    assert slash.status_code == 400 and "location" not in slash.headers
    logged = [row[2:] for row in fresh.store().audit_log.entries()]
    assert logged == [
        (None, "page", "/login/", "bad_request", client_address),
        (None, "login", "/login", "bad_request", client_address),
    ]


def test_a_trailing_slash_is_not_redirected(portal: Portal):
    for path in ("/login/", "/secretariat/", f"/prefectures/13/{portal.year}/candidates.csv/"):
        response = portal.client().get(path)
        assert response.status_code == 404 and "location" not in response.headers, path


@pytest.fixture
def broken(published, tmp_path) -> Portal:
    """A publication whose list cannot be read: the national page fails with a 500."""
    marts = tmp_path / "marts"
    (marts / "2025").mkdir(parents=True)
    (marts / "2025" / "manifest.json").write_text("{}", encoding="utf-8")
    (marts / "2025" / "national_candidates.parquet").write_bytes(b"not parquet")
    return portal_over(marts, tmp_path / "portal.sqlite3", ("secretariat", "pref:13"))


def test_every_response_has_the_security_headers_errors_included(portal: Portal, broken: Portal):
    client = logged_in(portal, "pref:13")
    anonymous = portal.client()
    responses = [
        client.get("/prefectures/13"),  # 200
        client.get(f"/prefectures/13/{portal.year}/candidates.csv"),  # 200, a file
        anonymous.get("/"),  # 303
        anonymous.get("/login", headers={"Host": "evil.example"}),  # 400
        anonymous.get(f"/prefectures/13/{portal.year}/candidates.csv"),  # 401
        client.get("/prefectures/14"),  # 403
        client.get("/nothing"),  # 404
        anonymous.post("/login", content=b"x" * 20_000),  # 413
        client.get(f"/prefectures/13/{portal.year}x/candidates.csv"),  # 422
    ]
    secretariat = broken.client(raise_server_exceptions=False)  # see the 500 as a browser does
    assert login(secretariat, "secretariat").status_code == 303
    responses.append(secretariat.get("/secretariat"))
    assert [r.status_code for r in responses] == [200, 200, 303, 400, 401, 403, 404, 413, 422, 500]
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.status_code, name)
    assert "エラー" in responses[-1].text and "Traceback" not in responses[-1].text
    assert broken.store().audit_log.entries()[0][2:6] == ("secretariat", "page", "/secretariat", "error")
