"""Login throttling and the reviewers' lookup quota.

Logins (the README's decision): failures are counted per account and client address, per
address over all accounts, and per account over all browsers it has not logged in from
before — never per account alone. A browser the account has logged in from carries a device
cookie (OWASP's "device cookies") and has its own counter, so an attacker anywhere else can
slow the guessing down but cannot lock the owner out. A refused attempt checks no password
and counts nothing.
"""

from __future__ import annotations

import sqlite3

from portal.database import Database

FAILURE_WINDOW = 15 * 60
PAIR_FAILURES = 5  # one account from one address, or from one known browser
CLIENT_FAILURES = 20  # one address, over every account (an office may share one)
ACCOUNT_WINDOW = 3600
ACCOUNT_FAILURES = 20  # one account, from every browser it does not know
KEEP_SECONDS = 86_400  # older failures are deleted

LOOKUPS_PER_HOUR = 60
LOOKUPS_PER_DAY = 300


def _wait(
    con: sqlite3.Connection, table: str, where: str, params: list, limit: int, window: float, now: float
):
    """Seconds until fewer than `limit` events (weighted by `numbers` for lookups) lie in the window."""
    weight = "numbers" if table == "lookups" else "1"
    rows = con.execute(
        f"select at, {weight} from {table} where {where} and at > ? order by at desc", [*params, now - window]
    ).fetchall()
    total = 0
    for at, numbers in rows:
        total += numbers
        if total >= limit:
            return max(at + window - now, 1.0)
    return 0.0


class LoginThrottle:
    def __init__(self, db: Database):
        self.db = db

    def wait(self, username: str, client: str, device: str) -> float:
        """Seconds before this account may be tried again from here; 0 if it may now."""
        now = self.db.now()
        with self.db.read() as con:
            if device:
                where, params = "username = ? and device = ?", [username, device]
                return _wait(con, "login_failures", where, params, PAIR_FAILURES, FAILURE_WINDOW, now)
            checks = [
                (
                    "username = ? and client = ? and device = ''",
                    [username, client],
                    PAIR_FAILURES,
                    FAILURE_WINDOW,
                ),
                ("client = ? and device = ''", [client], CLIENT_FAILURES, FAILURE_WINDOW),
                ("username = ? and device = ''", [username], ACCOUNT_FAILURES, ACCOUNT_WINDOW),
            ]
            return max(
                _wait(con, "login_failures", w, p, limit, window, now) for w, p, limit, window in checks
            )

    def failed(self, username: str, client: str, device: str) -> None:
        now = self.db.now()
        with self.db.write() as con:
            con.execute("delete from login_failures where at < ?", [now - KEEP_SECONDS])
            con.execute("insert into login_failures values (?, ?, ?, ?)", [username, client, device, now])

    def succeeded(self, username: str, client: str, device: str) -> None:
        """Forget this browser's (or this address's) failures; the other counters stay."""
        with self.db.write() as con:
            if device:
                con.execute(
                    "delete from login_failures where username = ? and device = ?", [username, device]
                )
            else:
                con.execute(
                    "delete from login_failures where username = ? and client = ? and device = ''",
                    [username, client],
                )


class LookupQuota:
    """Per reviewer account: LOOKUPS_PER_HOUR and LOOKUPS_PER_DAY 法人番号, so that no one
    rebuilds the list from the public 法人番号 file. A bulk lookup will take `numbers` at once."""

    def __init__(self, db: Database):
        self.db = db

    def take(self, username: str, numbers: int = 1) -> float:
        """0 and the lookups are counted, or the seconds to wait (and nothing is counted)."""
        if not 0 < numbers <= LOOKUPS_PER_HOUR:
            raise ValueError(f"one request looks up 1 to {LOOKUPS_PER_HOUR} numbers, not {numbers}")
        now = self.db.now()
        with self.db.write() as con:
            where, params = "username = ?", [username]
            wait = max(
                _wait(con, "lookups", where, params, LOOKUPS_PER_HOUR - numbers + 1, 3600, now),
                _wait(con, "lookups", where, params, LOOKUPS_PER_DAY - numbers + 1, KEEP_SECONDS, now),
            )
            if not wait:
                con.execute("delete from lookups where at < ?", [now - KEEP_SECONDS])
                con.execute("insert into lookups values (?, ?, ?)", [username, now, numbers])
        return wait
