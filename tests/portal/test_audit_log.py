"""The audit log: bounded rows, every denial, no overwrite, tampering detected, paged."""

from __future__ import annotations

import sqlite3

import pytest

from portal.audit import DENIALS_PER_MINUTE, GENESIS, PAGE_ROWS, row_hash
from portal.database import PortalFileError
from tests.portal.conftest import CSRF, Portal, logged_in, login
from tests.portal.test_accounts_cli import _accounts


def _rows(portal: Portal) -> list[tuple]:
    """(username, action, target, result, client), oldest first."""
    return [entry[2:] for entry in reversed(portal.store().audit_log.entries())]


def test_user_names_are_checked_before_they_are_stored(fresh: Portal):
    client = fresh.client("198.51.100.7")
    token = CSRF.search(client.get("/login").text).group(1)
    long_name = "<b>x</b>" * 500
    form = {"username": long_name, "password": "wrong password!", "csrf_token": token}
    assert client.post("/login", data=form).status_code == 401
    huge = client.post("/login", data={**form, "username": "x" * 900_000})
    assert huge.status_code == 413  # never parsed
    rows = _rows(fresh)
    assert ("<invalid-name len=4000>", "login", "", "failed", "198.51.100.7") in rows
    assert (None, "login", "/login", "too_large", "198.51.100.7") in rows
    with sqlite3.connect(fresh.config.database) as con:
        (longest,) = con.execute(
            "select max(length(username || target)) from audit_log where username is not null"
        ).fetchone()
        failures = con.execute("select username from login_failures").fetchall()
    assert longest <= 200 and failures == [("<invalid-name len=4000>",)]


def test_denials_from_one_address_are_counted_not_logged_one_by_one(fresh: Portal):
    client = fresh.client("198.51.100.7")
    for n in range(500):  # unauthenticated probes, as fast as one can send them
        assert client.get(f"/prefectures/13/{fresh.year}/probe{n}.csv").status_code == 401
    assert len(_rows(fresh)) == DENIALS_PER_MINUTE
    fresh.clock.advance(61)
    assert client.get("/api/lookup/1180301018771").status_code == 401
    rows = _rows(fresh)
    assert rows[DENIALS_PER_MINUTE][3] == "suppressed"
    assert rows[DENIALS_PER_MINUTE][2].startswith(f"{500 - DENIALS_PER_MINUTE} more denials")
    assert rows[-1] == (None, "lookup", "/api/lookup/1180301018771", "unauthenticated", "198.51.100.7")
    other = fresh.client("198.51.100.8")  # another address has its own budget
    assert other.get("/secretariat/audit/").status_code == 404
    assert _rows(fresh)[-1][3:] == ("not_found", "198.51.100.8")


def test_every_denied_or_failed_request_is_logged(fresh: Portal):
    year = fresh.year
    fresh.client("198.51.100.1").get(f"/prefectures/13/{year}/candidates.csv")
    prefecture = logged_in(fresh, "pref:13")
    prefecture.get(f"/prefectures/13/{year}/quarantine.parquet")
    prefecture.get(f"/prefectures/13/{year}x/candidates.csv")
    prefecture.get("/prefectures/14")
    prefecture.get("/secretariat")
    prefecture.get("/api/lookup/1180301018771")
    rows = _rows(fresh)
    assert (
        None,
        "download",
        f"/prefectures/13/{year}/candidates.csv",
        "unauthenticated",
        "198.51.100.1",
    ) in rows
    for target, result in [
        (f"/prefectures/13/{year}/quarantine.parquet", "not_found"),
        (f"/prefectures/13/{year}x/candidates.csv", "invalid"),
        ("/prefectures/14", "forbidden"),
        ("/secretariat", "forbidden"),
        ("/api/lookup/1180301018771", "forbidden"),
    ]:
        assert any(row[0] == "pref13" and row[2] == target and row[3] == result for row in rows), target


def test_the_log_cannot_be_overwritten_or_dropped_by_the_portal(fresh: Portal):
    login(fresh.client(), "pref13")
    with sqlite3.connect(fresh.config.database) as con:
        (first,) = con.execute("select hash from audit_log where id = 1").fetchone()
        columns = "(id, at, username, action, target, result, client, prev_hash, hash)"
        values = "'x', 'x', 'x', 'x', 'ok', 'x', 'x', 'x'"
        for pragma in ("off", "on"):
            con.execute(f"pragma recursive_triggers = {pragma}")
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(f"insert or replace into audit_log {columns} values (1, {values})")
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(
                    f"insert into audit_log {columns} values (9, 'x', 'x', 'x', 'x', 'ok', 'x', 'x', 'x')"
                )
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute("update audit_log set result = 'ok'")
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute("delete from audit_log")
        assert con.execute("select hash from audit_log where id = 1").fetchone() == (first,)
    with fresh.store().db.write() as con:  # the portal's own connections
        for statement in (
            "drop table audit_log",
            "drop trigger audit_log_no_delete",
            "alter table audit_log rename to x",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
                con.execute(statement)


def _tamper(portal: Portal, *statements: str) -> None:
    """What someone with the file and the sqlite3 shell could do."""
    with sqlite3.connect(portal.config.database) as con:
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_append_only"):
            con.execute(f"drop trigger {name}")
        for statement in statements:
            con.execute(statement)


@pytest.mark.parametrize(
    ("statements", "problem"),
    [
        ((), "trigger audit_log_no_update is missing"),
        (("update audit_log set result = 'ok' where id = 2",), "row 2 was changed"),
        (("delete from audit_log where id = 2",), "row 2 is missing"),
        (("drop table audit_log",), "the audit_log table is gone"),
    ],
)
def test_verify_audit_finds_tampering(fresh: Portal, statements, problem):
    for _ in range(3):
        login(fresh.client(), "pref13", "wrong password!")
    intact = _accounts(fresh.config.database, "verify-audit")
    assert intact.returncode == 0 and "audit log intact: 3 rows" in intact.stdout, (
        intact.stdout + intact.stderr
    )
    _tamper(fresh, *statements)
    found = _accounts(fresh.config.database, "verify-audit")
    assert found.returncode == 1 and problem in found.stdout, found.stdout + found.stderr
    with pytest.raises(PortalFileError, match="removed outside the portal"):
        fresh.store()  # the portal will not start on it (and remake what was removed)


def test_a_rewritten_chain_is_found_from_a_head_kept_elsewhere(fresh: Portal):
    for _ in range(3):
        login(fresh.client(), "pref13", "wrong password!")
    head = _accounts(fresh.config.database, "verify-audit").stdout.split("head ")[1].split()[0]
    with sqlite3.connect(fresh.config.database) as con:  # edit row 1, then recompute every hash after it
        con.execute("drop trigger audit_log_no_update")
        con.execute("update audit_log set client = '10.0.0.1' where id = 1")
        prev = GENESIS
        for row in con.execute(
            "select id, at, username, action, target, result, client from audit_log order by id"
        ).fetchall():
            digest = row_hash(prev, row)
            con.execute("update audit_log set prev_hash = ?, hash = ? where id = ?", [prev, digest, row[0]])
            prev = digest
        con.execute(
            "create trigger audit_log_no_update before update on audit_log "
            "begin select raise(abort, 'the audit log is append-only'); end"
        )
    assert _accounts(fresh.config.database, "verify-audit").returncode == 0  # the chain alone looks intact
    anchored = _accounts(fresh.config.database, "verify-audit", "--expect", head)
    assert anchored.returncode == 1 and "rewritten" in anchored.stdout


def test_the_audit_page_pages_and_filters(fresh: Portal):
    log = fresh.store().audit_log
    for n in range(250):
        log.record(
            f"pref{n % 3:02d}",
            "download",
            f"/national/{n}",
            "ok" if n % 5 else "forbidden",
            f"192.0.2.{n % 7}",
        )
        fresh.clock.advance(600)  # 250 rows over about 42 hours
    client = logged_in(fresh, "secretariat")
    first = client.get("/secretariat/audit")
    assert first.status_code == 200
    assert first.text.count("<tr><td>") == PAGE_ROWS and "/national/249<" in first.text
    link = first.text.split('<a href="/secretariat/audit?')[-1].split('"')[0].replace("&amp;", "&")
    second = client.get(f"/secretariat/audit?{link}")
    assert "/national/150<" in second.text and "/national/151<" not in second.text
    only = client.get("/secretariat/audit", params={"username": "PREF01", "result": "forbidden"})
    expected = [n for n in range(250) if n % 3 == 1 and n % 5 == 0]
    assert f"該当 <strong>{len(expected)}</strong> 件" in only.text
    assert only.text.count("<tr><td>") == len(expected)
    by_address = client.get("/secretariat/audit", params={"address": "192.0.2.3"})
    assert f"該当 <strong>{len(range(3, 250, 7))}</strong> 件" in by_address.text
    day = client.get("/secretariat/audit", params={"since": "2025-06-16", "until": "2025-06-16"})
    assert day.status_code == 200 and "2025-06-16T" in day.text and "2025-06-15T" not in day.text
    assert client.get("/secretariat/audit", params={"since": "yesterday"}).status_code == 422
