"""Sessions end after 30 idle minutes, after 8 hours, on a new login and on a password change;
passwords are checked against zxcvbn's lists of common passwords, words and patterns."""

from __future__ import annotations

import pytest

from portal.accounts import SESSION_IDLE_SECONDS, SESSION_SECONDS, AccountError
from tests.portal.conftest import CSRF, PASSWORD, Portal, login

NEW_PASSWORD = "violet kettle 42 under moss"


def _logged_in(portal: Portal, address: str = "203.0.113.5"):
    client = portal.client(address)
    assert login(client, "pref13").status_code == 303
    return client


def _alive(client) -> bool:
    response = client.get("/prefectures/13")
    assert response.status_code in (200, 303)
    return response.status_code == 200


def test_a_session_ends_after_30_idle_minutes(fresh: Portal):
    client = _logged_in(fresh)
    for _ in range(3):  # busy: each request moves the idle deadline on
        fresh.clock.advance(SESSION_IDLE_SECONDS - 60)
        assert _alive(client)
    fresh.clock.advance(SESSION_IDLE_SECONDS + 1)
    assert not _alive(client)
    assert client.get(f"/prefectures/13/{fresh.year}/candidates.csv").status_code == 401


def test_a_busy_session_still_ends_after_8_hours(fresh: Portal):
    client = _logged_in(fresh)
    for _ in range(SESSION_SECONDS // (SESSION_IDLE_SECONDS - 60)):
        fresh.clock.advance(SESSION_IDLE_SECONDS - 60)
        assert _alive(client)
    fresh.clock.advance(SESSION_IDLE_SECONDS - 60)
    assert not _alive(client)


def test_a_new_login_ends_the_older_session(fresh: Portal):
    first = _logged_in(fresh)
    second = _logged_in(fresh, "203.0.113.6")
    assert not _alive(first) and _alive(second)


def test_changing_ones_password_ends_every_copy_of_the_session(fresh: Portal):
    client = _logged_in(fresh)
    thief = fresh.client("198.51.100.7")
    thief.cookies.set("portal_session", client.cookies.get("portal_session"))
    assert _alive(thief)  # a copied cookie works, until the password changes
    page = client.get("/account/password")
    assert page.status_code == 200 and "現在のパスワード" in page.text
    token = CSRF.search(page.text).group(1)

    def change(current: str, new: str, again: str | None = None):
        form = {"current_password": current, "new_password": new, "new_password_again": again or new}
        return client.post("/account/password", data={**form, "csrf_token": token})

    assert change("not my password", NEW_PASSWORD).status_code == 401
    assert change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!").status_code == 400
    weak = change(PASSWORD, "aaaaaaaaaaaa")
    assert weak.status_code == 400 and "推測されやすい" in weak.text
    forged = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    assert client.post("/account/password", data={**forged, "csrf_token": "forged"}).status_code == 403
    done = change(PASSWORD, NEW_PASSWORD)
    assert done.status_code == 200 and "変更しました" in done.text
    assert not _alive(thief)
    assert _alive(client)  # the person who changed it goes on, in a new session
    assert login(fresh.client("203.0.113.9"), "pref13").status_code == 401
    assert login(fresh.client("203.0.113.9"), "pref13", NEW_PASSWORD).status_code == 303
    results = [e[5] for e in fresh.store().audit_log.entries() if e[3] == "password_change"]
    assert results == ["ok", "forbidden", "weak", "mismatch", "failed"]


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaaa", "Password1234", "qwertyuiop123", "pref13pref13", "iloveyou2025!"]
)
def test_common_and_patterned_passwords_are_refused(fresh: Portal, password):
    with pytest.raises(AccountError, match="too easy to guess"):
        fresh.store().create("pref13b", "pref:13", password)


def test_names_are_case_folded_unique_and_never_reused(fresh: Portal):
    store = fresh.store()
    assert store.create("Tokyo", "pref:13", PASSWORD).username == "tokyo"
    with pytest.raises(AccountError, match="exists"):
        store.create("TOKYO", "pref:13", PASSWORD)
    assert login(fresh.client(), "TOKYO").status_code == 303  # the same account
    store.revoke("tokyo")
    with pytest.raises(AccountError, match="never used again"):
        store.create("tokyo", "pref:13", PASSWORD)
    assert [row[0] for row in store.accounts()].count("tokyo") == 1
