"""Accounts, sessions and known browsers, in the portal's SQLite file.

Passwords are hashed with Argon2id (portal/passwords.py); session and device tokens are
random and stored only as their SHA-256, so a copy of the file gives no one a session.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from pipeline.reference.prefectures import PREFECTURES
from portal.audit import AuditLog
from portal.database import Clock, Database
from portal.names import as_logged, folded
from portal.passwords import hash_password, password_problem, verify_password
from portal.throttle import LoginThrottle, LookupQuota

PREFECTURE_CODES = {p.code for p in PREFECTURES}
ROLE = re.compile(r"pref:(\d{2})|secretariat|reviewer")
SESSION_SECONDS = 8 * 3600  # at most, however busy
SESSION_IDLE_SECONDS = 30 * 60  # without a request, a session ends
_TOUCH_SECONDS = 60  # last_seen is written at most this often per session
DEVICE_SECONDS = 90 * 86_400
DEVICES_PER_ACCOUNT = 10


class AccountError(ValueError):
    """A request about accounts that cannot be done, with a message for the user."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str

    @property
    def prefecture(self) -> str | None:
        """The prefecture code of a prefecture account, else None."""
        return self.role[5:] if self.role.startswith("pref:") else None

    @property
    def is_secretariat(self) -> bool:
        return self.role == "secretariat"

    @property
    def is_reviewer(self) -> bool:
        return self.role == "reviewer"


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a login: an account, or None; `wait` > 0 if it was refused unchecked."""

    account: Account | None
    wait: float = 0.0
    new_device: str | None = None  # a device cookie to give this browser


def check_role(role: str) -> str:
    """The role if it is one the portal knows, else AccountError."""
    match = ROLE.fullmatch(role)
    if not match or (match.group(1) and match.group(1) not in PREFECTURE_CODES):
        raise AccountError(f"unknown role {role!r}: use pref:01 … pref:47, secretariat or reviewer")
    return role


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    """The portal's file: accounts and sessions here, the audit log, the login throttle and
    the lookup quota beside them. `clock` (Unix seconds) is injectable for tests."""

    def __init__(self, path, clock: Clock = time.time):
        self.db = Database(path, clock)
        self.path = self.db.path
        self.audit_log = AuditLog(self.db)
        self.logins = LoginThrottle(self.db)
        self.lookups = LookupQuota(self.db)
        self.login_key = self.db.key("login_form")

    # -- accounts ---------------------------------------------------------------------

    def create(self, username: str, role: str, password: str) -> Account:
        name = folded(username)
        if name is None:
            raise AccountError("a username is 3–64 letters, digits or . _ @ -")
        check_role(role)
        problem = password_problem(password, name)
        if problem:
            raise AccountError(problem.english)
        with self.db.write() as con:
            row = con.execute("select revoked_at from accounts where username = ?", [name]).fetchone()
            if row and row[0]:
                raise AccountError(
                    f"account {name!r} was revoked at {row[0]}; a name is never used again, so that "
                    "the audit log always means one account: choose another"
                )
            if row:
                raise AccountError(f"account {name!r} exists (names are case-insensitive)")
            con.execute(
                "insert into accounts values (?, ?, ?, ?, null, null)",
                [name, role, hash_password(password), self.db.now_text()],
            )
        return Account(name, role)

    def revoke(self, username: str) -> None:
        """Revoke an account and end its sessions; the row and its name stay for the audit trail."""
        name = folded(username) or username
        with self.db.write() as con:
            done = con.execute(
                "update accounts set revoked_at = ? where username = ? and revoked_at is null",
                [self.db.now_text(), name],
            )
            if done.rowcount == 0:
                raise AccountError(f"no active account {username!r}")
            con.execute("delete from sessions where username = ?", [name])
            con.execute("delete from devices where username = ?", [name])

    def accounts(self) -> list[tuple[str, str, str, str | None]]:
        with self.db.read() as con:
            return con.execute(
                "select username, role, created_at, revoked_at from accounts order by username"
            ).fetchall()

    def _active(self, name: str | None) -> tuple[str, str] | None:
        """(role, password hash) of an active account."""
        if name is None:
            return None
        with self.db.read() as con:
            return con.execute(
                "select role, password_hash from accounts where username = ? and revoked_at is null", [name]
            ).fetchone()

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account if the name and password are right. Counts nothing: see `log_in`."""
        name = folded(username)
        row = self._active(name)
        return Account(name, row[0]) if verify_password(row[1] if row else None, password) else None

    def set_password(self, username: str, password: str) -> None:
        """A new password; every session of the account ends, so a stolen cookie dies with it."""
        name = folded(username) or username
        problem = password_problem(password, name)
        if problem:
            raise AccountError(problem.english)
        with self.db.write() as con:
            done = con.execute(
                "update accounts set password_hash = ?, password_changed_at = ? "
                "where username = ? and revoked_at is null",
                [hash_password(password), self.db.now_text(), name],
            )
            if done.rowcount == 0:
                raise AccountError(f"no active account {username!r}")
            con.execute("delete from sessions where username = ?", [name])

    # -- logging in -------------------------------------------------------------------

    def device(self, username: str | None, token: str | None) -> str:
        """The hash of a device cookie this account logged in with before, else ''."""
        if not (username and token):
            return ""
        with self.db.read() as con:
            row = con.execute(
                "select token_hash from devices where token_hash = ? and username = ? and expires_at > ?",
                [_digest(token), username, self.db.now()],
            ).fetchone()
        return row[0] if row else ""

    def _new_device(self, username: str) -> str:
        token, now = secrets.token_urlsafe(32), self.db.now()
        with self.db.write() as con:
            con.execute("delete from devices where expires_at < ?", [now])
            con.execute(
                "insert into devices values (?, ?, ?)", [_digest(token), username, now + DEVICE_SECONDS]
            )
            con.execute(
                "delete from devices where username = ? and token_hash not in "
                "(select token_hash from devices where username = ? order by expires_at desc limit ?)",
                [username, username, DEVICES_PER_ACCOUNT],
            )
        return token

    def log_in(self, username: str, password: str, client: str, device_token: str | None) -> LoginAttempt:
        """A login through the throttle: refused unchecked while a counter is full; a wrong
        password counts against this browser, or this address and account."""
        name = as_logged(username)
        device = self.device(folded(username), device_token)
        wait = self.logins.wait(name, client, device)
        if wait:
            return LoginAttempt(None, wait)
        account = self.authenticate(username, password)
        if account is None:
            self.logins.failed(name, client, device)
            return LoginAttempt(None)
        self.logins.succeeded(name, client, device)
        return LoginAttempt(account, new_device=None if device else self._new_device(account.username))

    # -- sessions ---------------------------------------------------------------------

    def open_session(self, account: Account) -> tuple[str, Session]:
        """A new session, which ends the account's others: the token for the cookie, and the
        session with its CSRF token."""
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.db.now()
        with self.db.write() as con:
            con.execute(
                "delete from sessions where expires_at < ? or last_seen < ?",
                [now, now - SESSION_IDLE_SECONDS],
            )
            con.execute("delete from sessions where username = ?", [account.username])
            con.execute(
                "insert into sessions values (?, ?, ?, ?, ?, ?)",
                [_digest(token), account.username, csrf, now, now, now + SESSION_SECONDS],
            )
        return token, Session(account, csrf)

    def session(self, token: str | None, touch: bool = True) -> Session | None:
        """The live session of a cookie; `touch` counts this request as activity."""
        if not token:
            return None
        now = self.db.now()
        with self.db.read() as con:
            row = con.execute(
                "select a.username, a.role, s.csrf_token, s.last_seen from sessions as s "
                "join accounts as a using (username) "
                "where s.token_hash = ? and s.expires_at > ? and s.last_seen > ? and a.revoked_at is null",
                [_digest(token), now, now - SESSION_IDLE_SECONDS],
            ).fetchone()
        if row is None:
            return None
        if touch and now - row[3] >= _TOUCH_SECONDS:
            with self.db.write() as con:
                con.execute("update sessions set last_seen = ? where token_hash = ?", [now, _digest(token)])
        return Session(Account(row[0], row[1]), row[2])

    def close_session(self, token: str | None) -> None:
        if token:
            with self.db.write() as con:
                con.execute("delete from sessions where token_hash = ?", [_digest(token)])
