"""Login throttling slows a guesser down without locking the owner out (README: "Rate limits"),
and the login form is one the portal issued."""

from __future__ import annotations

from portal.throttle import ACCOUNT_WINDOW, FAILURE_WINDOW
from tests.portal.conftest import CSRF, PASSWORD, Portal, login

WRONG = "wrong password!"


def test_five_wrong_passwords_stop_that_address_not_the_owner(fresh: Portal):
    attacker = fresh.client("198.51.100.7")
    for _ in range(5):
        assert login(attacker, "pref13", WRONG).status_code == 401
    refused = login(attacker, "pref13")  # even the right password, from there
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= FAILURE_WINDOW
    assert "ログインできません" in refused.text
    assert login(fresh.client("203.0.113.5"), "pref13").status_code == 303  # the owner, elsewhere
    fresh.clock.advance(FAILURE_WINDOW + 1)
    assert login(attacker, "pref13").status_code == 303


def test_a_guesser_on_many_addresses_is_slowed_but_the_owners_browser_gets_in(fresh: Portal):
    owner = fresh.client("203.0.113.5")
    assert login(owner, "pref13").status_code == 303  # this browser now carries a device cookie
    assert owner.cookies.get("portal_device")
    for n in range(20):
        assert login(fresh.client(f"198.51.100.{n}"), "pref13", WRONG).status_code == 401
    assert login(fresh.client("198.51.100.99"), "pref13").status_code == 429  # any unknown browser
    assert login(fresh.client("203.0.113.5"), "pref13").status_code == 429  # the owner's address alone
    assert login(owner, "pref13").status_code == 303  # the owner's browser is not locked out
    fresh.clock.advance(ACCOUNT_WINDOW + 1)
    assert login(fresh.client("198.51.100.99"), "pref13").status_code == 303


def test_a_known_browser_has_its_own_five_guesses(fresh: Portal):
    owner = fresh.client("203.0.113.5")
    assert login(owner, "pref13").status_code == 303
    for _ in range(5):  # e.g. someone at the owner's desk, or with a copy of the device cookie
        assert login(owner, "pref13", WRONG).status_code == 401
    assert login(owner, "pref13").status_code == 429
    assert login(fresh.client("203.0.113.6"), "pref13").status_code == 303


def test_one_address_guessing_many_accounts_is_stopped(fresh: Portal):
    for n in range(20):
        assert login(fresh.client("192.0.2.12"), f"nobody{n}", WRONG).status_code == 401
    assert login(fresh.client("192.0.2.12"), "pref13").status_code == 429
    entries = fresh.store().audit_log.entries()
    assert ("pref13", "login", "/login", "rate_limited", "192.0.2.12") in [e[2:] for e in entries]


def test_the_login_form_must_be_one_the_portal_issued(fresh: Portal):
    client = fresh.client()
    form = {"username": "pref13", "password": PASSWORD}
    client.cookies.set("portal_login_csrf", "x")
    assert client.post("/login", data={**form, "csrf_token": "x"}).status_code == 403  # a made-up pair
    token = CSRF.search(client.get("/login").text).group(1)
    nonce, issued, signature = token.split(".")
    for forged in (f"{nonce}.{int(issued) + 60}.{signature}", f"{nonce}x.{issued}.{signature}"):
        client.cookies.set("portal_login_csrf", forged)
        assert client.post("/login", data={**form, "csrf_token": forged}).status_code == 403
    client.cookies.set("portal_login_csrf", token)
    fresh.clock.advance(3601)  # a login page left open for over an hour
    assert client.post("/login", data={**form, "csrf_token": token}).status_code == 403
    assert login(client, "pref13").status_code == 303
    assert ("pref13", "login", "/login", "forbidden") in [e[2:6] for e in fresh.store().audit_log.entries()]
